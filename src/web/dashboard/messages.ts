import type { Locale } from '../../clinical/types.ts';
import { type MessageValues, type PluralCatalogue, translate } from '../../i18n/catalogue.ts';

/**
 * Every string of the practitioner dashboard, in English and Spanish. Written for a busy
 * clinician between patients: short, plain, the action first. `{x}` marks a value filled in
 * by `tr()`. The compiler checks that every key has both languages.
 */
const MESSAGES = {
  siteName: { en: 'Needlecare', es: 'Needlecare' },
  langName: { en: 'English', es: 'Español' },
  language: { en: 'Language', es: 'Idioma' },
  skipToMain: { en: 'Skip to main content', es: 'Ir al contenido principal' },
  mainNav: { en: 'Main', es: 'Principal' },
  navAlerts: { en: 'Alerts', es: 'Avisos' },
  navRecord: { en: 'Record session', es: 'Registrar sesión' },
  navRegister: { en: 'Register', es: 'Registro' },
  navPatients: { en: 'Patients', es: 'Pacientes' },
  navClinic: { en: 'Clinic', es: 'Clínica' },
  signOut: { en: 'Sign out', es: 'Cerrar sesión' },
  signedInAs: { en: 'Signed in as {name}', es: 'Sesión de {name}' },
  // Sign in
  signInTitle: { en: 'Sign in', es: 'Iniciar sesión' },
  signInLead: {
    en: 'For clinic staff. Patients use the link from their handout.',
    es: 'Para el personal de la clínica. Los pacientes usan el enlace de su hoja de cuidados.',
  },
  email: { en: 'E-mail', es: 'Correo electrónico' },
  password: { en: 'Password', es: 'Contraseña' },
  signInButton: { en: 'Sign in', es: 'Entrar' },
  signInWrong: {
    en: 'The e-mail address or password is wrong.',
    es: 'El correo electrónico o la contraseña no son correctos.',
  },
  signInLocked: {
    en: 'Too many attempts. Try again in {minutes} minutes.',
    es: 'Demasiados intentos. Vuelva a intentarlo dentro de {minutes} minutos.',
  },
  signInExpiredForm: {
    en: 'The form had expired. Please try again.',
    es: 'El formulario había caducado. Inténtelo de nuevo.',
  },
  signedOut: { en: 'You are signed out.', es: 'Ha cerrado la sesión.' },
  // Errors
  notFoundTitle: { en: 'Not found', es: 'No encontrado' },
  notFoundText: {
    en: 'There is nothing here, or it belongs to another clinic.',
    es: 'Aquí no hay nada, o pertenece a otra clínica.',
  },
  forbiddenTitle: { en: 'Not allowed', es: 'No permitido' },
  forbiddenText: {
    en: 'Only a clinic admin can open this page.',
    es: 'Solo un administrador de la clínica puede abrir esta página.',
  },
  csrfTitle: { en: 'The form could not be sent', es: 'No se pudo enviar el formulario' },
  csrfText: {
    en: 'The page was too old or came from elsewhere. Go back, reload the page and try again.',
    es: 'La página era demasiado antigua o venía de otro sitio. Vuelva atrás, recargue la página e inténtelo de nuevo.',
  },
  serverErrorTitle: { en: 'Something went wrong', es: 'Algo ha fallado' },
  serverErrorText: {
    en: 'It has been logged. Nothing you entered was changed by the error. Please try again.',
    es: 'Se ha registrado. El error no cambió nada de lo que introdujo. Inténtelo de nuevo.',
  },
  badRequestTitle: { en: 'That did not work', es: 'No ha funcionado' },
  badRequestText: {
    en: 'The request was not understood. Go back and try again.',
    es: 'No se entendió la petición. Vuelva atrás e inténtelo de nuevo.',
  },
  backToAlerts: { en: 'Back to alerts', es: 'Volver a los avisos' },
  fixErrors: { en: 'Please correct the following:', es: 'Corrija lo siguiente:' },
  // Alert queue
  alertsTitle: { en: 'Alerts', es: 'Avisos' },
  emergencyBanner: {
    en: {
      one: '{count} emergency alert not yet acknowledged',
      other: '{count} emergency alerts not yet acknowledged',
    },
    es: {
      one: '{count} aviso de emergencia sin confirmar',
      other: '{count} avisos de emergencia sin confirmar',
    },
  },
  emergencyBannerHelp: {
    en: 'Call the patient now. Acknowledge when someone has taken it on.',
    es: 'Llame ahora al paciente. Confirme cuando alguien se haya hecho cargo.',
  },
  needsAction: { en: 'Needs action', es: 'Requieren atención' },
  noOpenAlerts: {
    en: 'No open alerts. Nothing needs action now.',
    es: 'No hay avisos abiertos. Nada requiere atención ahora.',
  },
  acknowledgedHeading: {
    en: 'Acknowledged, not yet resolved',
    es: 'Confirmados, aún sin resolver',
  },
  noAcknowledged: { en: 'None.', es: 'Ninguno.' },
  recentlyResolved: { en: 'Recently resolved', es: 'Resueltos recientemente' },
  liveStatus: { en: 'This list updates by itself.', es: 'Esta lista se actualiza sola.' },
  // Without JavaScript the list cannot update itself: the page says so until the script runs.
  reloadForNew: {
    en: 'Reload this page to see new alerts.',
    es: 'Vuelva a cargar esta página para ver los avisos nuevos.',
  },
  enableNotifications: {
    en: 'Sound and desktop notice for emergencies',
    es: 'Sonido y aviso en el escritorio para emergencias',
  },
  liveNewEmergency: {
    en: 'New emergency alert: {patient}',
    es: 'Nuevo aviso de emergencia: {patient}',
  },
  liveUpdated: { en: 'Alert list updated.', es: 'Lista de avisos actualizada.' },
  severity: { en: 'Severity', es: 'Gravedad' },
  // One vocabulary (decision 1212): an alert carries the name of the triage level behind it.
  sevEmergency: { en: 'Emergency', es: 'Emergencia' },
  sevUrgent: { en: 'Contact today', es: 'Contactar hoy' },
  sevRoutine: { en: 'Tell practitioner', es: 'Avisar al fisioterapeuta' },
  statusOpen: { en: 'Open', es: 'Abierto' },
  statusAcknowledged: { en: 'Acknowledged', es: 'Confirmado' },
  statusResolved: { en: 'Resolved', es: 'Resuelto' },
  raisedAt: { en: 'Raised {when} ({ago})', es: 'Creado {when} ({ago})' },
  raisedOn: { en: 'Raised {when}', es: 'Creado {when}' },
  minutesAgo: { en: '{n} min ago', es: 'hace {n} min' },
  hoursAgo: { en: '{n} h ago', es: 'hace {n} h' },
  daysAgo: { en: '{n} days ago', es: 'hace {n} días' },
  acknowledgedBy: { en: 'Acknowledged by {who} at {when}', es: 'Confirmado por {who} el {when}' },
  resolvedBy: { en: 'Resolved by {who} at {when}', es: 'Resuelto por {who} el {when}' },
  resolutionNote: { en: 'Note: {note}', es: 'Nota: {note}' },
  acknowledge: { en: 'Acknowledge', es: 'Confirmar' },
  ackNote: {
    en: 'What happened (optional, e.g. “called, no answer”)',
    es: 'Qué pasó (opcional, p. ej. «llamé, no contesta»)',
  },
  reachPatient: { en: 'Reach the patient', es: 'Contactar con el paciente' },
  callPatient: { en: 'Call {phone}', es: 'Llamar al {phone}' },
  emailPatient: { en: 'E-mail {email}', es: 'Escribir a {email}' },
  noContactGiven: {
    en: 'No contact given: the clinic has no phone or e-mail for this patient. Wait for them to get in touch, or look in your own records.',
    es: 'Sin contacto: la clínica no tiene teléfono ni correo de este paciente. Espere a que se ponga en contacto o busque en sus propios registros.',
  },
  attemptsHeading: { en: 'Attempts to reach the patient', es: 'Intentos de contacto' },
  attemptBy: { en: '{who}, {when}: {note}', es: '{who}, {when}: {note}' },
  attemptNote: { en: 'Another attempt: what happened', es: 'Otro intento: qué pasó' },
  addAttempt: { en: 'Record attempt', es: 'Anotar intento' },
  outcomeLegend: { en: 'How did it turn out?', es: '¿Cuál fue el resultado?' },
  outcomeConfirmed: { en: 'Confirmed adverse event', es: 'Efecto adverso confirmado' },
  outcomeFalseAlarm: { en: 'False alarm', es: 'Falsa alarma' },
  outcomeUnrelated: {
    en: 'Unrelated to the needling',
    es: 'Sin relación con la punción',
  },
  outcomeClassLegend: {
    en: 'If confirmed: how serious?',
    es: 'Si se confirma: ¿qué gravedad?',
  },
  outcomeText: { en: 'Outcome: {outcome}', es: 'Resultado: {outcome}' },
  outcomeRequired: {
    en: 'Choose how it turned out (and, for a confirmed adverse event, how serious) before resolving.',
    es: 'Indique el resultado (y, si es un efecto adverso confirmado, su gravedad) antes de resolver.',
  },
  attemptRequired: {
    en: 'Write what happened to record an attempt.',
    es: 'Escriba qué pasó para anotar el intento.',
  },
  resolveNote: { en: 'What was done', es: 'Qué se hizo' },
  resolve: { en: 'Resolve', es: 'Resolver' },
  openPatient: { en: 'Open patient', es: 'Ver paciente' },
  whyAlert: { en: 'Why', es: 'Motivo' },
  alsoReported: {
    en: 'Also reported while this alert was open',
    es: 'También nos contó mientras el aviso seguía abierto',
  },
  alertGone: {
    en: 'This alert was already handled by someone else.',
    es: 'Otra persona ya se ocupó de este aviso.',
  },
  noteRequired: {
    en: 'Write what was done before resolving.',
    es: 'Escriba qué se hizo antes de resolver.',
  },
  unknownStaff: { en: 'someone', es: 'alguien' },
  contactHelp: {
    en: 'A phone or an e-mail, so the clinic can reach the patient at once if an alert comes in.',
    es: 'Un teléfono o un correo, para que la clínica pueda contactar enseguida si llega un aviso.',
  },
  noContactChoice: {
    en: 'The patient gave no phone or e-mail (their alerts will say so)',
    es: 'El paciente no dio teléfono ni correo (sus avisos lo dirán)',
  },
  errNoContact: {
    en: 'Give a phone or an e-mail for the patient, or tick “The patient gave no phone or e-mail”.',
    es: 'Indique un teléfono o un correo del paciente, o marque «El paciente no dio teléfono ni correo».',
  },
  // Record a session
  recordTitle: { en: 'Record a session', es: 'Registrar una sesión' },
  patient: { en: 'Patient', es: 'Paciente' },
  searchPatients: { en: 'Find a patient', es: 'Buscar paciente' },
  searchHint: { en: 'Name, e-mail or phone', es: 'Nombre, correo o teléfono' },
  search: { en: 'Search', es: 'Buscar' },
  noPatientsFound: {
    en: 'No patient found. Add them below.',
    es: 'No se encontró ningún paciente. Añádalo abajo.',
  },
  newPatient: { en: 'New patient', es: 'Paciente nuevo' },
  displayName: { en: 'Name', es: 'Nombre' },
  phone: { en: 'Phone', es: 'Teléfono' },
  patientLanguage: {
    en: 'Language of the patient pages',
    es: 'Idioma de las páginas del paciente',
  },
  optional: { en: '(optional)', es: '(opcional)' },
  musclesNeedled: { en: 'Muscles needled', es: 'Músculos tratados' },
  musclesHelp: {
    en: 'Tick the side or sides of each muscle you needled.',
    es: 'Marque el lado o los lados de cada músculo tratado.',
  },
  filterMuscles: { en: 'Filter muscles', es: 'Filtrar músculos' },
  filterHint: {
    en: 'Type an everyday or anatomical name',
    es: 'Escriba un nombre común o anatómico',
  },
  noMusclesMatch: { en: 'No muscle matches.', es: 'Ningún músculo coincide.' },
  bodyMapTitle: { en: 'Body map', es: 'Mapa del cuerpo' },
  bodyMapHelp: {
    en: 'Choose a region to go to its muscles, then tick the side.',
    es: 'Elija una zona para ir a sus músculos y marque el lado.',
  },
  bodyFront: { en: 'Front', es: 'Delante' },
  bodyBack: { en: 'Back', es: 'Detrás' },
  mapRegion: {
    en: '{region}, {view}: {n} muscles',
    es: '{region}, {view}: {n} músculos',
  },
  mapRegionThoracic: {
    en: '{region}, {view}: {n} muscles, {t} thoracic',
    es: '{region}, {view}: {n} músculos, {t} torácicos',
  },
  mapLegend: {
    en: 'Hatched with a dashed outline: thoracic muscles there (needling can reach the lung).',
    es: 'Rayado con borde discontinuo: hay músculos torácicos (la punción puede alcanzar el pulmón).',
  },
  mapShowing: { en: 'Showing: {region}.', es: 'Se muestra: {region}.' },
  mapShowAll: { en: 'Show all regions', es: 'Mostrar todas las zonas' },
  sideLeft: { en: 'Left', es: 'Izquierdo' },
  sideRight: { en: 'Right', es: 'Derecho' },
  sideMidline: { en: 'Midline', es: 'Línea media' },
  needlesPerSide: { en: 'Needles per side', es: 'Agujas por lado' },
  thoracicMark: { en: 'Thoracic', es: 'Torácico' },
  thoracicHelp: {
    en: 'Thoracic: needling here can reach the lung. Patients get earlier check-ins.',
    es: 'Torácico: la punción aquí puede alcanzar el pulmón. El paciente recibe controles más tempranos.',
  },
  bilateralWarning: {
    en: 'Thoracic muscles on both the left and the right. Guidance advises against this in one session: a collapsed lung on both sides is far more dangerous.',
    es: 'Músculos torácicos en los lados izquierdo y derecho. Las guías desaconsejan hacerlo en una misma sesión: un neumotórax en ambos lados es mucho más peligroso.',
  },
  performedAt: { en: 'Performed at', es: 'Realizada el' },
  performedAtHelp: { en: 'Clinic time ({zone}).', es: 'Hora de la clínica ({zone}).' },
  notes: { en: 'Notes', es: 'Notas' },
  saveSession: {
    en: 'Save and get the patient link',
    es: 'Guardar y obtener el enlace del paciente',
  },
  errPatientName: {
    en: 'Choose a patient or enter the new patient’s name.',
    es: 'Elija un paciente o escriba el nombre del paciente nuevo.',
  },
  errPatientErased: {
    en: 'This patient’s record was erased while you filled in the form, so nothing was recorded. Choose another patient or add the patient again.',
    es: 'El registro de este paciente se borró mientras rellenaba el formulario, así que no se ha registrado nada. Elija otro paciente o vuelva a añadirlo.',
  },
  errRecordGone: {
    en: 'What this form refers to no longer exists, so nothing was recorded. Check the details below and send again.',
    es: 'Lo que indica este formulario ya no existe, así que no se ha registrado nada. Revise los datos y vuelva a enviar.',
  },
  errNoSites: {
    en: 'Tick at least one muscle and side.',
    es: 'Marque al menos un músculo y un lado.',
  },
  errNotMidline: {
    en: 'this muscle is not needled at the midline; tick left or right.',
    es: 'este músculo no se punciona en la línea media; marque izquierdo o derecho.',
  },
  errPerformedAt: {
    en: 'Enter when the session was performed (not in the future, within 30 days).',
    es: 'Indique cuándo se hizo la sesión (no en el futuro, dentro de 30 días).',
  },
  errField: { en: '{field}: {message}', es: '{field}: {message}' },
  // Result
  resultTitle: { en: 'Session saved', es: 'Sesión guardada' },
  reissuedTitle: { en: 'New patient link issued', es: 'Nuevo enlace para el paciente' },
  reissuedLead: {
    en: 'Give {patient} this new link. Their earlier link no longer works.',
    es: 'Entregue este nuevo enlace a {patient}. Su enlace anterior ya no funciona.',
  },
  resultLead: {
    en: 'Give {patient} this link. It opens their aftercare and check-ins.',
    es: 'Entregue este enlace a {patient}. Abre sus cuidados y controles.',
  },
  patientLink: { en: 'Patient link', es: 'Enlace del paciente' },
  linkShownOnce: {
    en: 'The link is shown only now. To get another one later, issue a new link (the old one then stops working).',
    es: 'El enlace solo se muestra ahora. Para obtener otro más adelante, genere uno nuevo (el anterior dejará de funcionar).',
  },
  copyLink: { en: 'Copy link', es: 'Copiar enlace' },
  copied: { en: 'Link copied.', es: 'Enlace copiado.' },
  sendEmail: { en: 'Send by e-mail', es: 'Enviar por correo' },
  printHandout: { en: 'Open the printable handout', es: 'Abrir la hoja imprimible' },
  qrLabel: { en: 'QR code of the patient link', es: 'Código QR del enlace del paciente' },
  checkInPlan: { en: 'Check-ins planned', es: 'Controles previstos' },
  linkValidUntil: { en: 'The link works until {when}.', es: 'El enlace funciona hasta el {when}.' },
  mailSubject: {
    en: 'Your aftercare after dry needling',
    es: 'Sus cuidados después de la punción seca',
  },
  mailBody: {
    en: 'Hello {patient},\n\nThis link shows your aftercare and asks how you feel at a few planned times:\n{url}\n\n{clinic}',
    es: 'Hola {patient}:\n\nEste enlace muestra sus cuidados y le pregunta cómo se encuentra en varios momentos:\n{url}\n\n{clinic}',
  },
  issueLink: { en: 'Issue a new patient link', es: 'Generar un enlace nuevo' },
  issueLinkHelp: {
    en: 'For a lost handout. The old link stops working.',
    es: 'Si perdió la hoja. El enlace anterior deja de funcionar.',
  },
  recordAnother: { en: 'Record another session', es: 'Registrar otra sesión' },
  // A recorded form sent again (issue 12, finding 4; decision 1120)
  alreadyRecordedTitle: {
    en: 'This session is already saved',
    es: 'Esta sesión ya está guardada',
  },
  alreadyRecordedText: {
    en: 'This form was sent before: the session of {patient} on {when} is saved, and nothing new was recorded. Its patient link was shown when it was saved. If the patient does not have that link, issue a new one.',
    es: 'Este formulario ya se envió: la sesión de {patient} del {when} está guardada y no se ha registrado nada nuevo. Su enlace se mostró al guardarla. Si el paciente no tiene ese enlace, genere uno nuevo.',
  },
  alreadyRecordedSame: {
    en: 'This form was sent before: the session is already saved, and nothing new was recorded. Here is the same link again.',
    es: 'Este formulario ya se envió: la sesión ya está guardada y no se ha registrado nada nuevo. Aquí tiene de nuevo el mismo enlace.',
  },
  errKeyReused: {
    en: 'This form had already saved a session for {patient} ({when}). What you sent now is different, so nothing was recorded. Check the details below and send again to record a new session.',
    es: 'Este formulario ya había guardado una sesión de {patient} ({when}). Lo que ha enviado ahora es distinto, así que no se ha registrado nada. Revise los datos y vuelva a enviar para registrar una sesión nueva.',
  },
  // Patient view
  patientTitle: { en: 'Patient: {name}', es: 'Paciente: {name}' },
  contact: { en: 'Contact', es: 'Contacto' },
  noSessions: { en: 'No sessions recorded yet.', es: 'Aún no hay sesiones registradas.' },
  sessionOf: { en: 'Session of {when}', es: 'Sesión del {when}' },
  practitionerName: { en: 'Practitioner: {name}', es: 'Fisioterapeuta: {name}' },
  muscle: { en: 'Muscle', es: 'Músculo' },
  side: { en: 'Side', es: 'Lado' },
  needles: { en: 'Needles', es: 'Agujas' },
  sorenessCurve: {
    en: 'Soreness against the expected band',
    es: 'Dolor frente a la franja esperada',
  },
  chartTitle: {
    en: 'Soreness after the session of {when}',
    es: 'Dolor después de la sesión del {when}',
  },
  chartDesc: {
    en: {
      one: '{count} check-in. Shaded: the soreness expected at each hour (darker) and the easing ache still tolerated (lighter). Markers: circle self-care, square tell practitioner, diamond contact today, triangle emergency.',
      other:
        '{count} check-ins. Shaded: the soreness expected at each hour (darker) and the easing ache still tolerated (lighter). Markers: circle self-care, square tell practitioner, diamond contact today, triangle emergency.',
    },
    es: {
      one: '{count} control. Sombreado: el dolor esperado en cada hora (más oscuro) y la molestia que aún se tolera (más claro). Marcas: círculo autocuidado, cuadrado avisar, rombo contactar hoy, triángulo emergencia.',
      other:
        '{count} controles. Sombreado: el dolor esperado en cada hora (más oscuro) y la molestia que aún se tolera (más claro). Marcas: círculo autocuidado, cuadrado avisar, rombo contactar hoy, triángulo emergencia.',
    },
  },
  chartHours: { en: 'Hours after the session', es: 'Horas después de la sesión' },
  chartSoreness: { en: 'Soreness (0–10)', es: 'Dolor (0–10)' },
  checkIns: { en: 'Check-ins', es: 'Controles' },
  noCheckIns: { en: 'No check-ins yet.', es: 'Aún no hay controles.' },
  received: { en: 'Received', es: 'Recibido' },
  hoursAfter: { en: 'Hours after', es: 'Horas después' },
  hoursAfterSession: { en: '{hours} h after the session', es: '{hours} h después de la sesión' },
  soreness: { en: 'Soreness', es: 'Dolor' },
  sorenessNotGiven: { en: 'no number (red flag)', es: 'sin número (signo de alarma)' },
  symptoms: { en: 'Symptoms', es: 'Síntomas' },
  none: { en: 'none', es: 'ninguno' },
  disposition: { en: 'Triage', es: 'Triaje' },
  firedRules: { en: 'Rules that fired', es: 'Reglas aplicadas' },
  rulebookVersion: { en: 'rulebook {v}', es: 'reglas {v}' },
  patientNote: { en: 'Patient’s note', es: 'Nota del paciente' },
  alertsOfPatient: { en: 'Alerts and their history', es: 'Avisos y su historial' },
  noAlerts: { en: 'No alerts.', es: 'Sin avisos.' },
  dispSelfCare: { en: 'Self-care (expected)', es: 'Autocuidado (esperado)' },
  dispContact: { en: 'Tell practitioner', es: 'Avisar al fisioterapeuta' },
  dispUrgent: { en: 'Contact today', es: 'Contactar hoy' },
  dispEmergency: { en: 'Emergency', es: 'Emergencia' },
  dispNone: { en: 'Not assessed', es: 'Sin evaluar' },
  thoracicSession: { en: 'Thoracic session', es: 'Sesión torácica' },
  bilateralShort: { en: 'Thoracic on both sides', es: 'Torácico en ambos lados' },
  // Clinic
  clinicTitle: { en: 'Clinic', es: 'Clínica' },
  onThisPage: { en: 'On this page', es: 'En esta página' },
  escalationShort: { en: 'Escalation', es: 'Escalado' },
  practitioners: { en: 'Practitioners', es: 'Fisioterapeutas' },
  role: { en: 'Role', es: 'Función' },
  roleAdmin: { en: 'Admin', es: 'Administrador' },
  rolePractitioner: { en: 'Practitioner', es: 'Fisioterapeuta' },
  active: { en: 'Active', es: 'Activo' },
  inactive: { en: 'Deactivated', es: 'Desactivado' },
  deactivate: { en: 'Deactivate {name}', es: 'Desactivar a {name}' },
  you: { en: 'you', es: 'usted' },
  addPractitioner: { en: 'Invite a colleague', es: 'Invitar a un compañero' },
  inviteLead: {
    en: 'They get an e-mail with a link to choose their own password. The link works once, for 7 days.',
    es: 'Recibirá un correo con un enlace para elegir su propia contraseña. El enlace sirve una vez, durante 7 días.',
  },
  inviteLanguage: { en: 'Language of the e-mail', es: 'Idioma del correo' },
  invitePending: { en: 'Invited, no password yet', es: 'Invitado, aún sin contraseña' },
  resendInvite: {
    en: 'Send the invitation to {name} again',
    es: 'Reenviar la invitación a {name}',
  },
  revokeInvite: { en: 'Withdraw the invitation of {name}', es: 'Retirar la invitación de {name}' },
  inviteResent: {
    en: 'A new invitation went to {name}; the earlier link no longer works.',
    es: 'Se envió una invitación nueva a {name}; el enlace anterior ya no sirve.',
  },
  inviteRevoked: {
    en: 'The invitation of {name} was withdrawn.',
    es: 'Se retiró la invitación de {name}.',
  },
  actions: { en: 'Actions', es: 'Acciones' },
  add: { en: 'Send invitation', es: 'Enviar invitación' },
  emailInUse: {
    en: 'E-mail address: someone in your clinic already has this address.',
    es: 'Correo electrónico: alguien de su clínica ya tiene esta dirección.',
  },
  staffAdded: {
    en: 'An invitation was sent to {name}.',
    es: 'Se envió una invitación a {name}.',
  },
  staffDeactivated: {
    en: '{name} was deactivated and signed out.',
    es: '{name} fue desactivado y se cerró su sesión.',
  },
  settings: { en: 'Clinic settings', es: 'Ajustes de la clínica' },
  clinicName: { en: 'Clinic name', es: 'Nombre de la clínica' },
  timeZone: { en: 'Time zone', es: 'Zona horaria' },
  emergencyNumber: { en: 'Emergency number', es: 'Número de emergencias' },
  emergencyNumberHelp: {
    en: 'Dialled as is by patients, e.g. 112.',
    es: 'Los pacientes lo marcan tal cual, p. ej. 112.',
  },
  contactPhone: { en: 'Clinic phone', es: 'Teléfono de la clínica' },
  alertContactLegend: {
    en: 'Patient contact in alert e-mails and webhooks',
    es: 'Contacto del paciente en los correos y webhooks de aviso',
  },
  alertContactLabel: {
    en: "Put the patient's phone and e-mail in urgent and emergency alert e-mails and webhooks",
    es: 'Incluir el teléfono y el correo del paciente en los correos y webhooks de avisos urgentes y de emergencia',
  },
  alertContactHelp: {
    en: 'So whoever reads the alert can call at once. E-mails go only to your staff and escalation contacts; webhooks only to your signed HTTPS endpoints. Untick it if your e-mail or webhook receiver must not hold patient contact details: the alert then carries only the dashboard link.',
    es: 'Para que quien lea el aviso pueda llamar enseguida. Los correos solo van a su personal y a sus contactos de escalado; los webhooks, solo a sus direcciones HTTPS firmadas. Desmárquelo si su correo o su receptor de webhooks no deben guardar datos de contacto de pacientes: el aviso llevará solo el enlace al panel.',
  },
  checkInPlanHours: {
    en: 'Check-in plan (hours after the session)',
    es: 'Plan de controles (horas después de la sesión)',
  },
  thoracicPlanHours: {
    en: 'Check-in plan after thoracic needling (hours)',
    es: 'Plan de controles tras punción torácica (horas)',
  },
  planHelp: {
    en: 'Numbers separated by commas, e.g. 4, 24, 48, 72.',
    es: 'Números separados por comas, p. ej. 4, 24, 48, 72.',
  },
  languages: { en: 'Languages offered to patients', es: 'Idiomas ofrecidos a los pacientes' },
  defaultLanguage: { en: 'Default language', es: 'Idioma por defecto' },
  coverage: { en: 'Staffed hours (coverage)', es: 'Horario con personal (cobertura)' },
  coverageHelp: {
    en: 'Per day, ranges like 08:00-14:00, 16:00-20:00. Empty: no cover that day.',
    es: 'Por día, franjas como 08:00-14:00, 16:00-20:00. Vacío: sin cobertura ese día.',
  },
  saveSettings: { en: 'Save settings', es: 'Guardar ajustes' },
  settingsSaved: { en: 'Settings saved.', es: 'Ajustes guardados.' },
  webhooksTitle: { en: 'Webhooks', es: 'Webhooks' },
  webhooksLead: {
    en: 'Needlecare sends each alert to these addresses, signed with the secret (see docs/webhooks.md). The native form holds ids only; the FHIR form is a FHIR R4 Bundle with the patient’s name, contact details and answers, for an EHR, and goes only to https addresses.',
    es: 'Needlecare envía cada alerta a estas direcciones, firmada con el secreto (véase docs/webhooks.md). La forma nativa solo lleva identificadores; la forma FHIR es un Bundle FHIR R4 con el nombre, los datos de contacto y las respuestas del paciente, para una historia clínica electrónica, y solo va a direcciones https.',
  },
  noWebhooks: { en: 'No webhooks yet.', es: 'Aún no hay webhooks.' },
  webhookId: { en: 'Name (letters, digits, - or _)', es: 'Nombre (letras, cifras, - o _)' },
  webhookUrl: { en: 'Address (URL)', es: 'Dirección (URL)' },
  webhookSecret: { en: 'Signing secret', es: 'Secreto de firma' },
  webhookSecretHelp: {
    en: 'At least 16 characters. Leave empty to keep the current secret of an existing name.',
    es: 'Al menos 16 caracteres. Déjelo vacío para conservar el secreto actual de un nombre existente.',
  },
  webhookFormat: { en: 'Form', es: 'Forma' },
  formatNative: { en: 'Native JSON (ids only)', es: 'JSON nativo (solo identificadores)' },
  formatFhir: {
    en: 'FHIR R4 Bundle (with patient data)',
    es: 'Bundle FHIR R4 (con datos del paciente)',
  },
  addWebhook: { en: 'Add or change a webhook', es: 'Añadir o cambiar un webhook' },
  saveWebhook: { en: 'Save webhook', es: 'Guardar webhook' },
  changeFormat: { en: 'Change form of {name}', es: 'Cambiar la forma de {name}' },
  deleteWebhook: { en: 'Remove {name}', es: 'Quitar {name}' },
  webhookSaved: { en: 'Webhook {name} saved.', es: 'Webhook {name} guardado.' },
  webhookDeleted: { en: 'Webhook {name} removed.', es: 'Webhook {name} quitado.' },
  dayMon: { en: 'Monday', es: 'Lunes' },
  dayTue: { en: 'Tuesday', es: 'Martes' },
  dayWed: { en: 'Wednesday', es: 'Miércoles' },
  dayThu: { en: 'Thursday', es: 'Jueves' },
  dayFri: { en: 'Friday', es: 'Viernes' },
  daySat: { en: 'Saturday', es: 'Sábado' },
  daySun: { en: 'Sunday', es: 'Domingo' },
  badCoverage: {
    en: 'write ranges as HH:MM-HH:MM separated by commas',
    es: 'escriba las franjas como HH:MM-HH:MM separadas por comas',
  },
  badPlan: {
    en: 'write hours as numbers separated by commas',
    es: 'escriba las horas como números separados por comas',
  },
  // Register
  registerTitle: { en: 'Adverse-event register', es: 'Registro de efectos adversos' },
  registerLead: {
    en: 'Sessions with an adverse event, per 1,000 sessions, next to published rates. Each session counts once per class.',
    es: 'Sesiones con un efecto adverso, por cada 1.000 sesiones, junto a las tasas publicadas. Cada sesión cuenta una vez por clase.',
  },
  period: { en: 'Period', es: 'Periodo' },
  lastDays: { en: 'Last {n} days', es: 'Últimos {n} días' },
  classMild: { en: 'Mild', es: 'Leve' },
  classMildHelp: {
    en: 'soreness above the expected band at that hour, bruising, or minor bleeding',
    es: 'dolor por encima de la franja esperada a esa hora, hematoma o sangrado leve',
  },
  classSignificant: { en: 'Significant', es: 'Significativo' },
  classSignificantHelp: {
    en: 'a check-in triaged “contact today”',
    es: 'un control con triaje «contactar hoy»',
  },
  classSerious: { en: 'Serious', es: 'Grave' },
  classSeriousHelp: {
    en: 'a check-in triaged “emergency”',
    es: 'un control con triaje «emergencia»',
  },
  groupAll: { en: 'All sessions', es: 'Todas las sesiones' },
  groupThoracic: { en: 'Thoracic sessions', es: 'Sesiones torácicas' },
  groupOther: { en: 'Other sessions', es: 'Otras sesiones' },
  eventClass: { en: 'Class', es: 'Clase' },
  sessionsCount: {
    en: '{n} sessions ({c} with check-ins)',
    es: '{n} sesiones ({c} con controles)',
  },
  perThousandCell: { en: '{rate} per 1,000 ({n})', es: '{rate} por 1.000 ({n})' },
  published: { en: 'Published', es: 'Publicado' },
  publishedNone: { en: 'not reported', es: 'no publicado' },
  publishedBrady: {
    en: 'Brady et al. 2014 (7,629 treatments)',
    es: 'Brady et al. 2014 (7.629 tratamientos)',
  },
  publishedBoyce: {
    en: 'Boyce et al. 2020 (about 20,000 sessions)',
    es: 'Boyce et al. 2020 (unas 20.000 sesiones)',
  },
  publishedRate: { en: '{rate} per 1,000', es: '{rate} por 1.000' },
  publishedUnder: { en: 'under {rate} per 1,000', es: 'menos de {rate} por 1.000' },
  registerChartTitle: {
    en: 'Adverse events per 1,000 sessions, {period}',
    es: 'Efectos adversos por 1.000 sesiones, {period}',
  },
  registerChartDesc: {
    en: 'Bars per class: this clinic (all, thoracic, other) and the published rates. The same numbers are in the table.',
    es: 'Barras por clase: esta clínica (todas, torácicas, otras) y las tasas publicadas. Las mismas cifras están en la tabla.',
  },
  registerCaveat: {
    en: 'Small numbers swing widely: with few sessions, one event changes the rate a lot. The studies’ classes do not match ours exactly (Boyce “major” is shown as serious). Sessions without check-ins count in the total, so rates here can be lower than the truth.',
    es: 'Con pocas sesiones las cifras varían mucho: un solo evento cambia mucho la tasa. Las clases de los estudios no coinciden exactamente con las nuestras (el «mayor» de Boyce se muestra como grave). Las sesiones sin controles cuentan en el total, así que estas tasas pueden ser menores que la realidad.',
  },
  confirmedHeading: {
    en: 'Confirmed by staff',
    es: 'Confirmados por el personal',
  },
  confirmedLead: {
    en: 'When resolving an alert, staff say what it turned out to be. Confirmed adverse events per 1,000 sessions, next to the raw counts from triage above.',
    es: 'Al resolver un aviso, el personal indica qué resultó ser. Efectos adversos confirmados por cada 1.000 sesiones, junto a las cifras brutas del triaje de arriba.',
  },
  confirmedTitle: {
    en: 'Confirmed and raw adverse events per 1,000 sessions, {period}',
    es: 'Efectos adversos confirmados y brutos por 1.000 sesiones, {period}',
  },
  confirmedCol: { en: 'confirmed', es: 'confirmados' },
  rawCol: { en: 'from triage', es: 'según triaje' },
  alertOutcomes: {
    en: 'alerts: {confirmed} confirmed, {falseAlarm} false alarm, {unrelated} unrelated, {unclassified} not yet classified',
    es: 'avisos: {confirmed} confirmados, {falseAlarm} falsa alarma, {unrelated} sin relación, {unclassified} sin clasificar',
  },
  scrollHint: {
    en: 'On a small screen, scroll the table sideways (or focus it and use the arrow keys).',
    es: 'En una pantalla pequeña, desplace la tabla a los lados (o selecciónela y use las flechas).',
  },
  scrollTable: {
    en: '{name} (table: scroll sideways on a small screen)',
    es: '{name} (tabla: desplace a los lados en una pantalla pequeña)',
  },
  registerCsv: { en: 'Download CSV', es: 'Descargar CSV' },
  registerPrint: { en: 'Print view', es: 'Vista para imprimir' },
  // Alert burden (admins)
  burdenLink: {
    en: 'Alert burden: how many alerts the rulebook asks of this clinic',
    es: 'Carga de avisos: cuántos avisos pide el reglamento a esta clínica',
  },
  burdenTitle: { en: 'Alert burden', es: 'Carga de avisos' },
  burdenLead: {
    en: 'Alerts per 1,000 sessions done in the last {days} days, next to what a simulated group of patients with your mix of chest-area sessions would give.',
    es: 'Avisos por cada 1.000 sesiones hechas en los últimos {days} días, junto a lo que daría un grupo simulado de pacientes con su proporción de sesiones cerca del tórax.',
  },
  burdenSessions: {
    en: '{n} sessions, {t} of them near the chest.',
    es: '{n} sesiones, {t} de ellas cerca del tórax.',
  },
  burdenNoSessions: {
    en: 'No sessions in this period yet: the expectation uses the model’s mix ({share} near the chest).',
    es: 'Aún no hay sesiones en este periodo: la previsión usa la proporción del modelo ({share} cerca del tórax).',
  },
  burdenLevelsCaption: {
    en: 'Alerts per 1,000 sessions by level',
    es: 'Avisos por 1.000 sesiones según nivel',
  },
  burdenRulesCaption: {
    en: 'Alerts per 1,000 sessions by the rule that decided them',
    es: 'Avisos por 1.000 sesiones según la regla que los decidió',
  },
  burdenLevel: { en: 'Level', es: 'Nivel' },
  burdenRule: { en: 'Rule', es: 'Regla' },
  burdenAll: { en: 'All alerts', es: 'Todos los avisos' },
  burdenClinic: { en: 'This clinic', es: 'Esta clínica' },
  burdenExpected: { en: 'Expected (simulated)', es: 'Previsto (simulado)' },
  burdenCell: { en: '{rate} ({n})', es: '{rate} ({n})' },
  burdenHow: {
    en: 'Expected: {sessions} simulated sessions with {share} near the chest and your check-in plan, answered by simulated patients and triaged by rulebook {rulebook} (model {model}). Several of the model’s rates are estimates: if your figures differ a lot, tell us.',
    es: 'Previsto: {sessions} sesiones simuladas con {share} cerca del tórax y su plan de controles, respondidas por pacientes simulados y evaluadas con el reglamento {rulebook} (modelo {model}). Varias tasas del modelo son estimaciones: si sus cifras difieren mucho, díganoslo.',
  },
  burdenRecent: {
    en: 'Sessions of the last week may still get alerts: their check-ins are not over.',
    es: 'Las sesiones de la última semana aún pueden dar avisos: sus controles no han terminado.',
  },
  signInChooseClinic: {
    en: 'This address and password open accounts in more than one clinic. Choose the clinic, then type your password again.',
    es: 'Esta dirección y contraseña abren cuentas en más de una clínica. Elija la clínica y escriba de nuevo su contraseña.',
  },
  signInClinic: { en: 'Clinic', es: 'Clínica' },
  signInSuspended: {
    en: 'Your clinic is suspended, so nobody from it can sign in. Contact whoever runs Needlecare for your clinic.',
    es: 'Su clínica está suspendida y nadie de ella puede entrar. Hable con quien gestiona Needlecare para su clínica.',
  },
  // Set a password (first admin, invitation, reset)
  setPasswordTitle: { en: 'Choose your password', es: 'Elija su contraseña' },
  setPasswordLead: {
    en: '{name}, this sets the password you will use to sign in to {clinic} at {email}.',
    es: '{name}: aquí elige la contraseña con la que entrará en {clinic} como {email}.',
  },
  setPasswordRules: {
    en: 'At least 12 characters. A few unrelated words with spaces are easy to remember and hard to guess. Common passwords are refused.',
    es: 'Al menos 12 caracteres. Unas palabras sin relación, separadas por espacios, se recuerdan bien y cuesta adivinarlas. No se aceptan contraseñas habituales.',
  },
  newPassword: { en: 'New password', es: 'Contraseña nueva' },
  confirmPassword: { en: 'The same password again', es: 'Repita la contraseña' },
  setPasswordButton: { en: 'Save password and sign in', es: 'Guardar contraseña y entrar' },
  pwTooShort: {
    en: 'The password must have at least 12 characters.',
    es: 'La contraseña debe tener al menos 12 caracteres.',
  },
  pwTooLong: {
    en: 'The password can have at most 256 characters.',
    es: 'La contraseña puede tener como mucho 256 caracteres.',
  },
  pwCommon: {
    en: 'This password is too common and easy to guess. Choose another.',
    es: 'Esta contraseña es demasiado habitual y fácil de adivinar. Elija otra.',
  },
  pwMismatch: {
    en: 'The two passwords are not the same.',
    es: 'Las dos contraseñas no coinciden.',
  },
  linkGoneTitle: { en: 'This link no longer works', es: 'Este enlace ya no sirve' },
  linkGoneText: {
    en: 'It was already used, replaced by a newer one, or it expired. Ask your clinic admin for a new link.',
    es: 'Ya se usó, se sustituyó por otro más reciente o caducó. Pida un enlace nuevo a quien administra su clínica.',
  },
} as const satisfies PluralCatalogue<string>;

export type DashboardMessageKey = keyof typeof MESSAGES;
export const DASHBOARD_MESSAGES = MESSAGES;

/** The message `key` in `locale`, `{name}` slots filled; counted messages by `values.count`. */
export function tr(locale: Locale, key: DashboardMessageKey, values: MessageValues = {}): string {
  return translate<DashboardMessageKey>(MESSAGES, locale, key, values);
}
