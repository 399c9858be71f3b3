import { SIDES, type Side, type Site, type Text } from './types.ts';

/** Body regions of the muscle picker, top to bottom. */
export const BODY_REGIONS = [
  'head_neck',
  'shoulder_upper_back',
  'chest',
  'arm',
  'lower_back',
  'hip',
  'thigh',
  'lower_leg_foot',
] as const;
export type BodyRegion = (typeof BODY_REGIONS)[number];

export const BODY_REGION_NAMES: Readonly<Record<BodyRegion, Text>> = {
  head_neck: { en: 'Head and neck', es: 'Cabeza y cuello' },
  shoulder_upper_back: { en: 'Shoulder and upper back', es: 'Hombro y parte alta de la espalda' },
  chest: { en: 'Chest and ribs', es: 'Pecho y costillas' },
  arm: { en: 'Arm and forearm', es: 'Brazo y antebrazo' },
  lower_back: { en: 'Lower back', es: 'Zona lumbar' },
  hip: { en: 'Hip and buttock', es: 'Cadera y glúteo' },
  thigh: { en: 'Thigh', es: 'Muslo' },
  lower_leg_foot: { en: 'Lower leg and foot', es: 'Pierna y pie' },
};

export interface Muscle {
  readonly id: string;
  /** Anatomical name, as a clinician would write it. */
  readonly name: Text;
  /** What a patient would call the area. */
  readonly everyday: Text;
  readonly region: BodyRegion;
  /** Needling here can reach the pleura: the check-in plan and the warnings change. */
  readonly thoracic: boolean;
  /** Why it is (or is not) marked thoracic; see docs/clinical/clinical-evidence.md §3. */
  readonly source: string;
  /**
   * A site may be recorded as `midline`: the muscle lies in the groove beside the spinous
   * processes (or at the base of the skull), where a practitioner can needle a spinal segment
   * centrally. Every other muscle is lateral and paired, so its site is left or right
   * (decision 1220).
   */
  readonly midline: boolean;
}

/**
 * The muscles a site can be recorded at the midline for: the deep spinal groups and the
 * suboccipitals, which lie against the midline. Trapezius, rhomboids and latissimus reach the
 * midline only as tendon; limbs, hips, chest, jaw and the side of the neck are lateral.
 */
export const MIDLINE_MUSCLES: ReadonlySet<string> = new Set([
  'suboccipitals',
  'upper-cervical-paraspinals',
  'lower-cervical-paraspinals',
  'thoracic-paraspinals',
  'lumbar-paraspinals',
]);

const PTX_CASES = 'clinical-evidence §3: published pneumothorax cases after needling here';
const ANATOMY = 'clinical-evidence §3: lies over the thoracic wall and pleura (anatomy, S24h)';
const NOT_THORACIC = 'RULES.md catalogue: not over the thorax';

function m(
  id: string,
  region: BodyRegion,
  thoracic: boolean,
  name: Text,
  everyday: Text,
  source: string,
): Muscle {
  return { id, region, thoracic, name, everyday, source, midline: MIDLINE_MUSCLES.has(id) };
}

/**
 * The muscle catalogue: every id of RULES.md v1. The thoracic list follows RULES.md, which
 * follows the published cases: most needling pneumothoraces came from the neck and shoulder
 * girdle, not only from the chest.
 */
export const MUSCLES: readonly Muscle[] = [
  // Head and neck
  m(
    'suboccipitals',
    'head_neck',
    false,
    { en: 'Suboccipitals', es: 'Suboccipitales' },
    { en: 'base of the skull', es: 'base del cráneo' },
    NOT_THORACIC,
  ),
  m(
    'upper-cervical-paraspinals',
    'head_neck',
    false,
    { en: 'Upper cervical paraspinals', es: 'Paravertebrales cervicales altos' },
    { en: 'upper neck muscles', es: 'músculos de la parte alta del cuello' },
    NOT_THORACIC,
  ),
  m(
    'lower-cervical-paraspinals',
    'head_neck',
    true,
    { en: 'Lower cervical paraspinals', es: 'Paravertebrales cervicales bajos' },
    { en: 'lower neck muscles', es: 'músculos de la parte baja del cuello' },
    `${PTX_CASES} (S22f)`,
  ),
  m(
    'sternocleidomastoid',
    'head_neck',
    false,
    { en: 'Sternocleidomastoid', es: 'Esternocleidomastoideo' },
    { en: 'side of the neck', es: 'lateral del cuello' },
    NOT_THORACIC,
  ),
  m(
    'scalenes',
    'head_neck',
    true,
    { en: 'Scalenes', es: 'Escalenos' },
    { en: 'deep side of the neck', es: 'parte profunda del lateral del cuello' },
    `${PTX_CASES} (S24b, S24c)`,
  ),
  m(
    'masseter',
    'head_neck',
    false,
    { en: 'Masseter', es: 'Masetero' },
    { en: 'jaw muscle', es: 'músculo de la mandíbula' },
    NOT_THORACIC,
  ),
  m(
    'temporalis',
    'head_neck',
    false,
    { en: 'Temporalis', es: 'Temporal' },
    { en: 'temple', es: 'sien' },
    NOT_THORACIC,
  ),
  m(
    'levator-scapulae',
    'head_neck',
    true,
    { en: 'Levator scapulae', es: 'Elevador de la escápula' },
    { en: 'neck to shoulder blade', es: 'del cuello al omóplato' },
    `${PTX_CASES} (S24a)`,
  ),
  // Shoulder and upper back
  m(
    'upper-trapezius',
    'shoulder_upper_back',
    true,
    { en: 'Upper trapezius', es: 'Trapecio superior' },
    { en: 'top of the shoulder', es: 'parte alta del hombro' },
    `${PTX_CASES}: the muscle most often implicated (S24a, S24b, S22d)`,
  ),
  m(
    'middle-trapezius',
    'shoulder_upper_back',
    true,
    { en: 'Middle trapezius', es: 'Trapecio medio' },
    { en: 'between the shoulder blades', es: 'entre los omóplatos' },
    `${PTX_CASES} (S22e)`,
  ),
  m(
    'lower-trapezius',
    'shoulder_upper_back',
    true,
    { en: 'Lower trapezius', es: 'Trapecio inferior' },
    { en: 'middle of the back', es: 'mitad de la espalda' },
    ANATOMY,
  ),
  m(
    'rhomboid-major',
    'shoulder_upper_back',
    true,
    { en: 'Rhomboid major', es: 'Romboides mayor' },
    { en: 'between the shoulder blades', es: 'entre los omóplatos' },
    `${PTX_CASES} (S22e, S22g, S24g)`,
  ),
  m(
    'rhomboid-minor',
    'shoulder_upper_back',
    true,
    { en: 'Rhomboid minor', es: 'Romboides menor' },
    { en: 'between the shoulder blades, higher up', es: 'entre los omóplatos, más arriba' },
    `${PTX_CASES} (S22e, S24g)`,
  ),
  m(
    'supraspinatus',
    'shoulder_upper_back',
    true,
    { en: 'Supraspinatus', es: 'Supraespinoso' },
    { en: 'top of the shoulder blade', es: 'parte alta del omóplato' },
    `${PTX_CASES} (S22g, S24b)`,
  ),
  m(
    'infraspinatus',
    'shoulder_upper_back',
    true,
    { en: 'Infraspinatus', es: 'Infraespinoso' },
    { en: 'back of the shoulder blade', es: 'parte trasera del omóplato' },
    `${PTX_CASES} (S22g)`,
  ),
  m(
    'subscapularis',
    'shoulder_upper_back',
    true,
    { en: 'Subscapularis', es: 'Subescapular' },
    { en: 'under the shoulder blade', es: 'debajo del omóplato' },
    ANATOMY,
  ),
  m(
    'serratus-posterior-superior',
    'shoulder_upper_back',
    true,
    { en: 'Serratus posterior superior', es: 'Serrato posterior superior' },
    {
      en: 'upper back, under the shoulder blade',
      es: 'parte alta de la espalda, bajo el omóplato',
    },
    ANATOMY,
  ),
  m(
    'latissimus-dorsi',
    'shoulder_upper_back',
    true,
    { en: 'Latissimus dorsi', es: 'Dorsal ancho' },
    { en: 'side of the back', es: 'lateral de la espalda' },
    ANATOMY,
  ),
  m(
    'thoracic-paraspinals',
    'shoulder_upper_back',
    true,
    { en: 'Thoracic paraspinals', es: 'Paravertebrales torácicos' },
    {
      en: 'muscles beside the spine, mid back',
      es: 'músculos junto a la columna, mitad de la espalda',
    },
    `${PTX_CASES} (S22b, S22g, S24a)`,
  ),
  // Chest and ribs
  m(
    'pectoralis-major',
    'chest',
    true,
    { en: 'Pectoralis major', es: 'Pectoral mayor' },
    { en: 'chest muscle', es: 'músculo del pecho' },
    ANATOMY,
  ),
  m(
    'pectoralis-minor',
    'chest',
    true,
    { en: 'Pectoralis minor', es: 'Pectoral menor' },
    { en: 'deep chest muscle', es: 'músculo profundo del pecho' },
    `${PTX_CASES} (S24d)`,
  ),
  m(
    'subclavius',
    'chest',
    true,
    { en: 'Subclavius', es: 'Subclavio' },
    { en: 'under the collarbone', es: 'debajo de la clavícula' },
    ANATOMY,
  ),
  m(
    'serratus-anterior',
    'chest',
    true,
    { en: 'Serratus anterior', es: 'Serrato anterior' },
    { en: 'side of the ribs', es: 'lateral de las costillas' },
    `${PTX_CASES} (S24e)`,
  ),
  m(
    'intercostals',
    'chest',
    true,
    { en: 'Intercostals', es: 'Intercostales' },
    { en: 'between the ribs', es: 'entre las costillas' },
    ANATOMY,
  ),
  // Arm and forearm
  m(
    'deltoid',
    'arm',
    false,
    { en: 'Deltoid', es: 'Deltoides' },
    { en: 'round of the shoulder', es: 'parte redonda del hombro' },
    NOT_THORACIC,
  ),
  m(
    'biceps-brachii',
    'arm',
    false,
    { en: 'Biceps brachii', es: 'Bíceps braquial' },
    { en: 'front of the upper arm', es: 'parte delantera del brazo' },
    NOT_THORACIC,
  ),
  m(
    'triceps-brachii',
    'arm',
    false,
    { en: 'Triceps brachii', es: 'Tríceps braquial' },
    { en: 'back of the upper arm', es: 'parte trasera del brazo' },
    NOT_THORACIC,
  ),
  m(
    'forearm-extensors',
    'arm',
    false,
    { en: 'Forearm extensors', es: 'Extensores del antebrazo' },
    { en: 'top of the forearm', es: 'parte de arriba del antebrazo' },
    NOT_THORACIC,
  ),
  m(
    'forearm-flexors',
    'arm',
    false,
    { en: 'Forearm flexors', es: 'Flexores del antebrazo' },
    { en: 'inside of the forearm', es: 'parte interior del antebrazo' },
    NOT_THORACIC,
  ),
  // Lower back
  m(
    'quadratus-lumborum',
    'lower_back',
    true,
    { en: 'Quadratus lumborum', es: 'Cuadrado lumbar' },
    { en: 'side of the lower back', es: 'lateral de la zona lumbar' },
    `${ANATOMY}: upper fibres near the 12th rib`,
  ),
  m(
    'lumbar-paraspinals',
    'lower_back',
    false,
    { en: 'Lumbar paraspinals', es: 'Paravertebrales lumbares' },
    { en: 'lower back beside the spine', es: 'zona lumbar junto a la columna' },
    NOT_THORACIC,
  ),
  // Hip and buttock
  m(
    'gluteus-maximus',
    'hip',
    false,
    { en: 'Gluteus maximus', es: 'Glúteo mayor' },
    { en: 'buttock', es: 'nalga' },
    NOT_THORACIC,
  ),
  m(
    'gluteus-medius',
    'hip',
    false,
    { en: 'Gluteus medius', es: 'Glúteo medio' },
    { en: 'side of the hip', es: 'lateral de la cadera' },
    NOT_THORACIC,
  ),
  m(
    'gluteus-minimus',
    'hip',
    false,
    { en: 'Gluteus minimus', es: 'Glúteo menor' },
    { en: 'deep side of the hip', es: 'parte profunda de la cadera' },
    NOT_THORACIC,
  ),
  m(
    'piriformis',
    'hip',
    false,
    { en: 'Piriformis', es: 'Piriforme' },
    { en: 'deep in the buttock', es: 'parte profunda de la nalga' },
    NOT_THORACIC,
  ),
  m(
    'tensor-fasciae-latae',
    'hip',
    false,
    { en: 'Tensor fasciae latae', es: 'Tensor de la fascia lata' },
    { en: 'front of the hip', es: 'parte delantera de la cadera' },
    NOT_THORACIC,
  ),
  // Thigh
  m(
    'quadriceps',
    'thigh',
    false,
    { en: 'Quadriceps', es: 'Cuádriceps' },
    { en: 'front of the thigh', es: 'parte delantera del muslo' },
    NOT_THORACIC,
  ),
  m(
    'hamstrings',
    'thigh',
    false,
    { en: 'Hamstrings', es: 'Isquiotibiales' },
    { en: 'back of the thigh', es: 'parte trasera del muslo' },
    NOT_THORACIC,
  ),
  m(
    'adductors',
    'thigh',
    false,
    { en: 'Adductors', es: 'Aductores' },
    { en: 'inner thigh', es: 'cara interna del muslo' },
    NOT_THORACIC,
  ),
  // Lower leg and foot
  m(
    'gastrocnemius',
    'lower_leg_foot',
    false,
    { en: 'Gastrocnemius', es: 'Gastrocnemio (gemelos)' },
    { en: 'calf', es: 'gemelo (pantorrilla)' },
    NOT_THORACIC,
  ),
  m(
    'soleus',
    'lower_leg_foot',
    false,
    { en: 'Soleus', es: 'Sóleo' },
    { en: 'deep calf', es: 'parte profunda de la pantorrilla' },
    NOT_THORACIC,
  ),
  m(
    'tibialis-anterior',
    'lower_leg_foot',
    false,
    { en: 'Tibialis anterior', es: 'Tibial anterior' },
    { en: 'front of the shin', es: 'parte delantera de la espinilla' },
    NOT_THORACIC,
  ),
  m(
    'fibularis',
    'lower_leg_foot',
    false,
    { en: 'Fibularis (peroneals)', es: 'Peroneos (fibulares)' },
    { en: 'outside of the lower leg', es: 'parte exterior de la pierna' },
    NOT_THORACIC,
  ),
  m(
    'foot-intrinsics',
    'lower_leg_foot',
    false,
    { en: 'Intrinsic foot muscles', es: 'Musculatura intrínseca del pie' },
    { en: 'sole of the foot', es: 'planta del pie' },
    NOT_THORACIC,
  ),
];

const BY_ID: ReadonlyMap<string, Muscle> = new Map(MUSCLES.map((muscle) => [muscle.id, muscle]));

export const MUSCLE_IDS: readonly string[] = MUSCLES.map((muscle) => muscle.id);

export function findMuscle(id: string): Muscle | undefined {
  return BY_ID.get(id);
}

const LATERAL_SIDES: readonly Side[] = SIDES.filter((side) => side !== 'midline');

/** The sides a site of this muscle can be recorded at: `midline` only where it means something. */
export function sidesFor(muscle: Pick<Muscle, 'midline'>): readonly Side[] {
  return muscle.midline ? SIDES : LATERAL_SIDES;
}

/** True when any needled muscle is marked thoracic (RULES.md: `thoracic`). Unknown ids count as thoracic: the safe side. */
export function isThoracicSession(sites: readonly Site[]): boolean {
  return sites.some((site) => BY_ID.get(site.muscle)?.thoracic ?? true);
}

/**
 * Thoracic muscles needled on both the left and the right in one session: professional
 * guidance advises against it (bilateral pneumothorax risk; clinical-evidence §3, S19a).
 */
export function isBilateralThoracic(sites: readonly Site[]): boolean {
  const thoracicSides = new Set(
    sites.filter((site) => BY_ID.get(site.muscle)?.thoracic === true).map((site) => site.side),
  );
  return thoracicSides.has('left') && thoracicSides.has('right');
}

/** Search by anatomical or everyday name in any language, accent- and case-insensitive. */
export function searchMuscles(query: string): readonly Muscle[] {
  const q = fold(query.trim());
  if (q === '') return MUSCLES;
  return MUSCLES.filter((muscle) =>
    [muscle.id, muscle.name.en, muscle.name.es, muscle.everyday.en, muscle.everyday.es].some((s) =>
      fold(s).includes(q),
    ),
  );
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}
