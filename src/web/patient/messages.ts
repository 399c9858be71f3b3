import type { Catalogue } from '../../i18n/catalogue.ts';

/**
 * Every string of the patient pages, in English and Spanish. Written for someone anxious, in
 * pain, maybe reading in a second language: short sentences, everyday words, one idea each.
 * `{x}` marks a value filled in by `fill()`.
 */
export const PATIENT_MESSAGES = {
  siteName: { en: 'Needlecare', es: 'Needlecare' },
  langName: { en: 'English', es: 'Español' },
  switchLanguage: { en: 'Language', es: 'Idioma' },
  skipToMain: { en: 'Skip to main content', es: 'Ir al contenido principal' },
  // Emergency box
  emergencyTitle: { en: 'Emergency', es: 'Emergencia' },
  emergencyLead: {
    en: 'Chest pain, getting out of breath, or pain when you breathe in? Do not wait.',
    es: '¿Dolor en el pecho, le falta el aire o le duele al respirar? No espere.',
  },
  callEmergency: { en: 'Call {number}', es: 'Llamar al {number}' },
  emergencyButton: {
    en: 'I have chest pain or can’t breathe',
    es: 'Tengo dolor en el pecho o no puedo respirar',
  },
  // Session page
  sessionTitle: {
    en: 'Your care after dry needling',
    es: 'Sus cuidados después de la punción seca',
  },
  whatWasDone: { en: 'What was done', es: 'Qué se hizo' },
  sessionOn: {
    en: 'Dry needling {when}, at {clinic}.',
    es: 'Punción seca {when}, en {clinic}.',
  },
  sideLeft: { en: 'left', es: 'izquierda' },
  sideRight: { en: 'right', es: 'derecha' },
  sideMidline: { en: 'middle', es: 'centro' },
  nearChest: {
    en: 'Some of these areas are near your chest, so we ask about your breathing too.',
    es: 'Algunas de estas zonas están cerca del tórax, por eso también le preguntamos por su respiración.',
  },
  whatIsNormal: { en: 'What is normal right now', es: 'Qué es normal ahora' },
  expectedBand: {
    en: 'Soreness from {min} to {max} out of 10 is expected at this point.',
    es: 'En este momento es esperable un dolor de {min} a {max} sobre 10.',
  },
  expectedNone: {
    en: 'By now most people have no soreness from the needling.',
    es: 'A estas alturas la mayoría de las personas ya no tiene dolor por la punción.',
  },
  yourCurve: { en: 'Your soreness so far', es: 'Su dolor hasta ahora' },
  chartPointNoNumber: {
    en: 'a report without a number at {hours} hours',
    es: 'un aviso sin número a las {hours} horas',
  },
  legendExpected: {
    en: 'Dark green: the soreness most people have at that time',
    es: 'Verde oscuro: el dolor que tiene la mayoría de la gente en ese momento',
  },
  legendTolerated: {
    en: 'Light green: an ache that is still easing and is fine',
    es: 'Verde claro: una molestia que va bajando y no es preocupante',
  },
  legendYours: {
    en: 'Blue line and marks: the numbers you sent',
    es: 'Línea azul y marcas: los números que usted envió',
  },
  legendNoNumber: {
    en: 'Dashed line at the top: a report you sent without a number',
    es: 'Línea de puntos arriba: un aviso que envió sin número',
  },
  chartDescription: {
    en: 'The green area is the soreness expected after needling. The line shows what you reported: {points}.',
    es: 'La zona verde es el dolor esperable tras la punción. La línea muestra lo que usted indicó: {points}.',
  },
  chartNoPoints: { en: 'no check-ins yet', es: 'todavía ninguna respuesta' },
  chartPoint: {
    en: '{soreness} out of 10 at {hours} hours',
    es: '{soreness} sobre 10 a las {hours} horas',
  },
  chartHours: { en: 'Hours since your session', es: 'Horas desde la sesión' },
  chartSoreness: { en: 'Soreness (0–10)', es: 'Dolor (0–10)' },
  adviceTitle: { en: 'What helps', es: 'Qué ayuda' },
  nextCheckIn: { en: 'Next check-in: {when}.', es: 'Próxima revisión: {when}.' },
  noMoreCheckIns: {
    en: 'There are no more planned check-ins. You can still check in at any time.',
    es: 'No hay más revisiones previstas. Puede responder cuando quiera.',
  },
  checkInNow: { en: 'Check in now', es: 'Responder ahora' },
  printHandout: { en: 'Printable handout', es: 'Hoja para imprimir' },
  contactClinic: {
    en: 'Questions? Call {clinic} on {phone}.',
    es: '¿Dudas? Llame a {clinic} al {phone}.',
  },
  // Check-in form
  checkInTitle: { en: 'How are you now?', es: '¿Cómo se encuentra ahora?' },
  checkInIntro: { en: 'It takes less than 30 seconds.', es: 'Tarda menos de 30 segundos.' },
  sorenessQuestion: {
    en: 'How sore is the treated area right now? (0 = none, 10 = worst you can imagine)',
    es: '¿Cuánto le duele ahora la zona tratada? (0 = nada, 10 = lo peor que se pueda imaginar)',
  },
  sorenessNone: { en: 'none', es: 'nada' },
  sorenessMild: { en: 'mild', es: 'leve' },
  sorenessModerate: { en: 'moderate', es: 'moderado' },
  sorenessSevere: { en: 'severe', es: 'intenso' },
  symptomsQuestion: {
    en: 'Do you have any of these? Tick all that apply.',
    es: '¿Tiene algo de esto? Marque todo lo que corresponda.',
  },
  noteLabel: { en: 'Anything else? (optional)', es: '¿Algo más? (opcional)' },
  submit: { en: 'Send', es: 'Enviar' },
  formErrors: { en: 'Please check the form:', es: 'Revise el formulario:' },
  sorenessMissing: {
    en: 'Choose a number from 0 to 10 for your soreness. You can leave it out only if you tick one of the serious symptoms below.',
    es: 'Elija un número del 0 al 10 para su dolor. Solo puede dejarlo en blanco si marca uno de los síntomas graves de abajo.',
  },
  noteUnread: {
    en: 'We could not read your note, so nothing was saved. Write it again in the box below and send. If you have chest pain or trouble breathing, press the emergency button.',
    es: 'No pudimos leer su nota, así que no se ha guardado nada. Escríbala de nuevo en el recuadro de abajo y envíe. Si tiene dolor en el pecho o le cuesta respirar, pulse el botón de emergencia.',
  },
  symptomsUnread: {
    en: 'We could not read some of the symptoms you sent, so nothing was saved. Tick your symptoms again below and send. If you have chest pain or trouble breathing, press the emergency button.',
    es: 'No pudimos leer algunos de los síntomas que envió, así que no se ha guardado nada. Vuelva a marcar sus síntomas abajo y envíe. Si tiene dolor en el pecho o le cuesta respirar, pulse el botón de emergencia.',
  },
  sorenessOptionalHint: {
    en: 'If you have chest pain or another serious symptom, tick it below and send. You do not need to choose a number.',
    es: 'Si tiene dolor en el pecho u otro síntoma grave, márquelo abajo y envíe. No hace falta elegir un número.',
  },
  // Answer page
  answerTitle: { en: 'Your answer', es: 'Su respuesta' },
  whyTitle: { en: 'Why', es: 'Por qué' },
  whatNow: { en: 'What to do now', es: 'Qué hacer ahora' },
  clinicTold: {
    en: 'We have told your clinic. Someone there will see it.',
    es: 'Hemos avisado a su clínica. Alguien allí lo verá.',
  },
  earlierUrgent: {
    en: 'Earlier you reported something that needs attention, and the clinic has not confirmed yet. If you have not already, follow that advice: {title}.',
    es: 'Antes nos indicó algo que necesita atención y la clínica aún no lo ha confirmado. Si no lo ha hecho ya, siga ese consejo: {title}.',
  },
  backToSession: { en: 'Back to your care page', es: 'Volver a su página de cuidados' },
  urgentFirst: {
    en: 'First, today: phone {clinic} on {phone}. If you cannot speak to them today, see a doctor today (your GP or an urgent care centre).',
    es: 'Lo primero, hoy: llame a {clinic} al {phone}. Si hoy no consigue hablar con ellos, vea hoy a un médico (su centro de salud o un servicio de urgencias).',
  },
  urgentAlso: {
    en: 'Also today: phone {clinic} on {phone}. If you cannot speak to them today, see a doctor today (your GP or an urgent care centre).',
    es: 'También hoy: llame a {clinic} al {phone}. Si hoy no consigue hablar con ellos, vea hoy a un médico (su centro de salud o un servicio de urgencias).',
  },
  contactFirst: {
    en: 'Tell {clinic} within a day: phone {phone}.',
    es: 'Avise a {clinic} en el plazo de un día: llame al {phone}.',
  },
  toldOpen: {
    en: 'We have told {clinic}. It is open now, so someone there should see your answer soon.',
    es: 'Hemos avisado a {clinic}. Ahora está abierta, así que alguien lo verá pronto.',
  },
  toldClosed: {
    en: 'We have told {clinic}, but it is closed now. Nobody there will see your answer until it opens {when}.',
    es: 'Hemos avisado a {clinic}, pero ahora está cerrada. Nadie lo verá hasta que abra {when}.',
  },
  toldClosedNoTime: {
    en: 'We have told {clinic}, but it is closed now. Nobody there will see your answer until it opens again.',
    es: 'Hemos avisado a {clinic}, pero ahora está cerrada. Nadie lo verá hasta que vuelva a abrir.',
  },
  toldNoHours: {
    en: 'We have sent your answer to {clinic}, but we cannot tell you when someone there will read it.',
    es: 'Hemos enviado su respuesta a {clinic}, pero no podemos decirle cuándo la leerán.',
  },
  meanwhileEmergency: {
    en: 'Do not wait for the clinic: call {number} now.',
    es: 'No espere a la clínica: llame ahora al {number}.',
  },
  meanwhileUrgentPhone: {
    en: 'Do not wait for them: call {phone} today.',
    es: 'No espere a que le llamen: llame hoy al {phone}.',
  },
  meanwhileUrgent: {
    en: 'Do not wait for them: see a doctor today (your GP out-of-hours service or an urgent care centre).',
    es: 'No espere a que le llamen: vea hoy a un médico (su centro de salud o un servicio de urgencias).',
  },
  meanwhileUnknown: {
    en: 'Do not wait for them to call you.',
    es: 'No espere a que le llamen.',
  },
  meanwhileContact: {
    en: 'This can wait until then. If you get worse, check in again.',
    es: 'Esto puede esperar hasta entonces. Si empeora, vuelva a responder.',
  },
  calmAfterEarlierTitle: {
    en: 'This report looks as expected, but your earlier one still needs action',
    es: 'Este aviso es el esperado, pero el anterior aún necesita que actúe',
  },
  calmAfterEarlier: {
    en: 'What you sent now is the usual course after dry needling. Earlier you told us something that needed this: {earlier} The clinic has not replied to it yet. If it has not been sorted out, please do it now.',
    es: 'Lo que nos envía ahora es lo habitual tras la punción seca. Antes nos contó algo que pedía esto: {earlier} La clínica aún no ha respondido. Si no se ha resuelto, hágalo ahora, por favor.',
  },
  alsoAfterEarlierTitle: {
    en: 'Your earlier report still needs action, and this one needs it too',
    es: 'Su aviso anterior aún necesita que actúe, y este también',
  },
  alsoAfterEarlier: {
    en: 'Earlier you told us something that needed this: {earlier} The clinic has not replied to it yet. If it has not been sorted out, do that first. What you sent now needs this too: {current}',
    es: 'Antes nos contó algo que pedía esto: {earlier} La clínica aún no ha respondido. Si no se ha resuelto, hágalo primero. Lo que nos envía ahora también pide esto: {current}',
  },
  attentionTitle: {
    en: 'Your last report needs you to act',
    es: 'Su último aviso necesita que actúe',
  },
  // Emergency page
  emergencyNowTitle: { en: 'Call {number} now', es: 'Llame ahora al {number}' },
  emergencySteps1: {
    en: 'Call {number} now and say you had dry needling {when}.',
    es: 'Llame ahora al {number} y diga que le hicieron punción seca {when}.',
  },
  emergencySteps2: {
    en: 'Sit upright and stay as still as you can.',
    es: 'Siéntese erguido y muévase lo menos posible.',
  },
  emergencySteps3: {
    en: 'Do not drive yourself. Ask someone to stay with you.',
    es: 'No conduzca usted. Pida a alguien que se quede con usted.',
  },
  emergencyRecorded: { en: 'We have told your clinic.', es: 'Hemos avisado a su clínica.' },
  // Handout
  handoutTitle: { en: 'After your dry needling', es: 'Después de su punción seca' },
  handoutScan: {
    en: 'Scan to open your care page and check in:',
    es: 'Escanee para abrir su página de cuidados y responder:',
  },
  handoutRedFlags: {
    en: 'Call {number} straight away if you have:',
    es: 'Llame enseguida al {number} si tiene:',
  },
  handoutCheckIns: {
    en: 'We will ask how you are (you can also check in any time):',
    es: 'Le preguntaremos cómo está (también puede responder cuando quiera):',
  },
  handoutSameDay: {
    en: 'Contact your clinic or a doctor the same day if you have:',
    es: 'Contacte el mismo día con su clínica o un médico si tiene:',
  },
  print: { en: 'Print', es: 'Imprimir' },
  // Expired / unknown link
  // Stop reminders (the link at the end of every reminder)
  stopTitle: { en: 'Stop reminders', es: 'Dejar de recibir recordatorios' },
  stopAsk: {
    en: 'Do you want to stop the check-in reminders for this session? You can still open your page and check in whenever you like.',
    es: '¿Quiere dejar de recibir los recordatorios de seguimiento de esta sesión? Podrá seguir abriendo su página y respondiendo cuando quiera.',
  },
  stopButton: { en: 'Stop reminders', es: 'Dejar de recibir recordatorios' },
  stopDone: {
    en: 'Done: we will not send you more reminders for this session. You can still open your page and check in whenever you like.',
    es: 'Hecho: no le enviaremos más recordatorios de esta sesión. Podrá seguir abriendo su página y respondiendo cuando quiera.',
  },
  openYourPage: { en: 'Open your page', es: 'Abrir su página' },
  linkGoneTitle: { en: 'This link no longer works', es: 'Este enlace ya no funciona' },
  linkGoneBody: {
    en: 'Links stop working some days after the session, or when the clinic replaces them. Your information is safe.',
    es: 'Los enlaces dejan de funcionar unos días después de la sesión, o cuando la clínica los sustituye. Su información está segura.',
  },
  linkGoneContact: {
    en: 'To reach {clinic}, call {phone}.',
    es: 'Para contactar con {clinic}, llame al {phone}.',
  },
  linkUnknownContact: {
    en: 'Please contact your clinic for a new link.',
    es: 'Pida un enlace nuevo a su clínica.',
  },
  linkGoneEmergency: {
    en: 'If you have chest pain or trouble breathing, call {number} now. You do not need this link to get help.',
    es: 'Si tiene dolor en el pecho o le cuesta respirar, llame ahora al {number}. No necesita este enlace para pedir ayuda.',
  },
} as const satisfies Catalogue<string>;

export type PatientMessageKey = keyof typeof PATIENT_MESSAGES;
