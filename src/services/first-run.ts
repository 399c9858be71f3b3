import type { Clinic } from '../store/clinics.repository.ts';
import { withTransaction } from '../store/db.ts';
import {
  anyClinicExists,
  findSetupTokenByHash,
  insertSetupToken,
  type SetupToken,
  useAllSetupTokens,
} from '../store/setup-tokens.repository.ts';
import type { StaffUser } from '../store/staff.repository.ts';
import type { Actor, SystemActor } from './actors.ts';
import { auditActorOf, recordAudit } from './audit.ts';
import { checkNewClinic, insertClinicWithAdmin, type NewClinicInput } from './clinics.ts';
import { HOUR_MS } from './clock.ts';
import type { ServiceDeps } from './deps.ts';
import { AppError, type FieldIssue } from './errors.ts';
import { checkNewPassword, type PasswordProblem } from './password-policy.ts';
import { randomSecret, sha256Hex } from './secrets.ts';
import { productUrls } from './urls.ts';

/**
 * First run (issue 11; docs/decisions/1320-first-run-setup-link.md): `needlecare serve` on a
 * database with no clinic prints a one-time setup URL; the page behind it creates the first
 * clinic and its admin (with the password typed there) and signs them in. The secret is kept
 * only as its sha256; the link lives 24 hours; using any link spends every outstanding one, and
 * once a clinic exists every link answers 410.
 */
export const SETUP_LINK_TTL_MS = 24 * HOUR_MS;

export interface IssuedSetupLink {
  readonly url: string;
  readonly expiresAt: string;
}

/**
 * A fresh setup link when the server has no clinic yet, else null. Only trusted code (the
 * `serve` command, a `SystemActor`) issues one; it prints the URL once and never stores it.
 */
export async function issueSetupLink(
  deps: ServiceDeps,
  actor: SystemActor,
): Promise<IssuedSetupLink | null> {
  return withTransaction(deps.db, async (trx) => {
    if (await anyClinicExists(trx)) return null;
    const secret = randomSecret();
    const now = deps.clock.now();
    const token = await insertSetupToken(trx, {
      tokenHash: sha256Hex(secret),
      createdAt: now,
      expiresAt: new Date(now.getTime() + SETUP_LINK_TTL_MS),
    });
    await recordAudit(trx, deps.clock, auditActorOf(actor), {
      action: 'setup.link_issued',
      subjectType: 'setup_token',
      subjectId: token.id,
      details: { expiresAt: token.expiresAt },
    });
    return { url: productUrls(deps.config.publicUrl).setup(secret), expiresAt: token.expiresAt };
  });
}

/**
 * The setup link a secret names: unknown 404; used, expired, or refused because a clinic
 * already exists 410 (`link_gone`).
 */
export async function readSetupLink(
  deps: ServiceDeps,
  _actor: Actor,
  input: { readonly token: string },
): Promise<SetupToken> {
  const token = await findSetupTokenByHash(deps.db, sha256Hex(input.token));
  if (token === undefined) throw new AppError('not_found', 'No such link.');
  if (
    token.usedAt !== null ||
    Date.parse(token.expiresAt) <= deps.clock.now().getTime() ||
    (await anyClinicExists(deps.db))
  )
    throw new AppError('link_gone', 'This setup link no longer works.');
  return token;
}

export interface FirstRunInput {
  readonly token: string;
  /** `contactPhone` is required here: patients are told to call it (decision 1320). */
  readonly clinic: NewClinicInput;
  readonly password: string;
  readonly confirmation: string;
}

/**
 * The setup form was refused: every field problem at once (`errors`, by field name: `name`,
 * `timeZone`, `country`, `language`, `contactPhone`, `adminName`, `adminEmail`, `password`, `confirmation`),
 * with the password's problems as codes the page words in its language.
 */
export class SetupRefused extends AppError {
  readonly fields: readonly string[];
  readonly passwordProblems: readonly PasswordProblem[];
  constructor(errors: readonly FieldIssue[], passwordProblems: readonly PasswordProblem[]) {
    super('validation_failed', 'The setup form has problems.', { errors });
    this.name = 'SetupRefused';
    this.fields = errors.map((e) => e.field);
    this.passwordProblems = passwordProblems;
  }
}

/**
 * Create the first clinic and its admin through a setup link: every field checked first
 * (nothing stored on any problem), then in one transaction every outstanding setup link is
 * spent (two racing submissions: exactly one wins), the server is checked to still have no
 * clinic, and the clinic and admin (with the chosen password) are stored and audited. Returns
 * both so the door can sign the admin in.
 */
export async function completeFirstRunSetup(
  deps: ServiceDeps,
  actor: Actor,
  input: FirstRunInput,
): Promise<{ clinic: Clinic; admin: StaffUser }> {
  const link = await readSetupLink(deps, actor, { token: input.token });
  const { value, errors } = checkNewClinic(input.clinic);
  const issues = [...errors];
  if ((input.clinic.adminName ?? '').trim() === '')
    issues.push({ field: 'adminName', message: 'is required' });
  if ((input.clinic.contactPhone ?? '').trim() === '')
    issues.push({ field: 'contactPhone', message: 'is required' });
  const problems = checkNewPassword(input.password, input.confirmation);
  for (const p of problems)
    issues.push(
      p === 'mismatch'
        ? { field: 'confirmation', message: 'does not match the password' }
        : { field: 'password', message: `is refused (${p})` },
    );
  if (issues.length > 0) throw new SetupRefused(issues, problems);
  const passwordHash = await deps.passwords.hash(input.password);
  return withTransaction(deps.db, async (trx) => {
    const spent = await useAllSetupTokens(trx, deps.clock.now());
    if (!spent.includes(link.id) || (await anyClinicExists(trx)))
      throw new AppError('link_gone', 'This setup link no longer works.');
    const created = await insertClinicWithAdmin(deps, trx, actor, value, {
      passwordHash,
      via: 'first_run',
    });
    await recordAudit(
      trx,
      deps.clock,
      { ...auditActorOf(actor), clinicId: created.clinic.id },
      { action: 'setup.complete', subjectType: 'setup_token', subjectId: link.id },
    );
    return created;
  });
}
