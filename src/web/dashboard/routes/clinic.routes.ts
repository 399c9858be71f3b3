import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestActor } from '../../../api/audit.ts';
import { fieldIssuesFromAjv } from '../../../api/errors.ts';
import type { Locale } from '../../../clinical/types.ts';
import {
  createApiToken,
  DEFAULT_TOKEN_DAYS,
  listClinicApiTokens,
  MAX_TOKEN_DAYS,
  revokeClinicApiToken,
} from '../../../services/api-tokens.ts';
import {
  type ClinicSettingsBody,
  clinicSettingsPatchSchema,
  updateClinic,
  WEEKDAYS,
} from '../../../services/clinic-settings.ts';
import { AppError, type FieldIssue } from '../../../services/errors.ts';
import {
  type EscalationPatch,
  escalationPatchSchema,
  readEscalationSettings,
  updateEscalationSettings,
} from '../../../services/escalation-settings.ts';
import {
  changeStaffRole,
  createStaff,
  DEFAULT_STAFF_ROLE,
  deactivateStaff,
  listClinicStaff,
  type NewStaffInput,
  newStaffSchema,
  resendInvitation,
  revokeInvitation,
} from '../../../services/staff.ts';
import {
  deleteWebhook,
  listWebhooks,
  saveWebhook,
  saveWebhookSchema,
} from '../../../services/webhook-settings.ts';
import type { Weekday } from '../../../store/clinics.repository.ts';
import { field, fields, sendPage, staffOf } from '../context.ts';
import { type EscalationMessageKey, tesc } from '../escalation-messages.ts';
import { messagePage } from '../layout.ts';
import { type DashboardMessageKey, tr } from '../messages.ts';
import {
  clinicPage,
  DAY_KEY,
  type EscalationContactForm,
  type EscalationForm,
  escalationFormOf,
  MAX_ESCALATION_CONTACTS,
  type NewStaffForm,
  type NewTokenForm,
  RETENTION_MAX_YEARS,
  RETENTION_MIN_YEARS,
  type SettingsForm,
  settingsFormOf,
  type WebhookForm,
} from '../pages/clinic.page.ts';
import { tpeople } from '../people-messages.ts';
import { issueWords } from '../service-words.ts';

const adminRoute = { access: 'public', dashboard: 'admin' } as const;

const FIELD_LABEL: Readonly<Record<string, DashboardMessageKey>> = {
  name: 'clinicName',
  timeZone: 'timeZone',
  emergencyNumber: 'emergencyNumber',
  contactPhone: 'contactPhone',
  checkInPlanHours: 'checkInPlanHours',
  thoracicPlanHours: 'thoracicPlanHours',
  languages: 'languages',
  defaultLanguage: 'defaultLanguage',
  coverage: 'coverage',
  patientContactInAlerts: 'alertContactLegend',
  email: 'email',
  displayName: 'displayName',
  role: 'role',
  language: 'inviteLanguage',
  id: 'webhookId',
  url: 'webhookUrl',
  secret: 'webhookSecret',
  format: 'webhookFormat',
};

function issueText(L: Locale, issue: FieldIssue): string {
  const day = /^coverage\.(\w+)/.exec(issue.field)?.[1] as Weekday | undefined;
  const root = issue.field.split(/[.[]/)[0] ?? issue.field;
  const key = day !== undefined && day in DAY_KEY ? DAY_KEY[day] : FIELD_LABEL[root];
  return tr(L, 'errField', {
    field: key === undefined ? issue.field : tr(L, key),
    message: issueWords(L, issue),
  });
}

function parseHours(text: string): number[] | undefined {
  const parts = text.split(/[,;\s]+/).filter((p) => p !== '');
  const hours = parts.map((p) => Number(p.replace(',', '.')));
  return hours.every((h) => Number.isFinite(h)) ? hours : undefined;
}

function parseRanges(text: string): [string, string][] | undefined {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const out: [string, string][] = [];
  for (const part of parts) {
    const m = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/.exec(part);
    if (m?.[1] === undefined || m[2] === undefined) return undefined;
    out.push([m[1].padStart(5, '0'), m[2].padStart(5, '0')]);
  }
  return out;
}

/** The settings form → the API's settings body, plus the problems only the form can have. */
export function parseSettingsForm(
  L: Locale,
  body: unknown,
): { form: SettingsForm; patch: ClinicSettingsBody; errors: string[] } {
  const errors: string[] = [];
  const coverageText = Object.fromEntries(
    WEEKDAYS.map((d) => [d, field(body, `cov_${d}`).trim()]),
  ) as Record<Weekday, string>;
  const form: SettingsForm = {
    name: field(body, 'name').trim(),
    timeZone: field(body, 'timeZone').trim(),
    emergencyNumber: field(body, 'emergencyNumber').trim(),
    contactPhone: field(body, 'contactPhone').trim(),
    checkInPlanHours: field(body, 'checkInPlanHours'),
    thoracicPlanHours: field(body, 'thoracicPlanHours'),
    languages: fields(body, 'languages'),
    defaultLanguage: field(body, 'defaultLanguage'),
    coverage: coverageText,
    patientContactInAlerts: field(body, 'patientContactInAlerts') !== '',
    retentionYears: field(body, 'retentionYears').trim(),
  };
  // Only a form that showed the tick box may switch it off (an unticked box sends nothing).
  const contactShown = field(body, 'contactSettingShown') !== '';
  const retention = /^\d{1,3}$/.test(form.retentionYears) ? Number(form.retentionYears) : NaN;
  // A form without the field (an older page still open) leaves the retention as it is.
  const retentionShown =
    typeof body === 'object' && body !== null && Object.hasOwn(body, 'retentionYears');
  if (
    retentionShown &&
    (!Number.isInteger(retention) ||
      retention < RETENTION_MIN_YEARS ||
      retention > RETENTION_MAX_YEARS)
  )
    errors.push(tpeople(L, 'retentionBad', { min: RETENTION_MIN_YEARS, max: RETENTION_MAX_YEARS }));
  const plan = parseHours(form.checkInPlanHours);
  const thoracicPlan = parseHours(form.thoracicPlanHours);
  if (plan === undefined)
    errors.push(tr(L, 'errField', { field: tr(L, 'checkInPlanHours'), message: tr(L, 'badPlan') }));
  if (thoracicPlan === undefined)
    errors.push(
      tr(L, 'errField', { field: tr(L, 'thoracicPlanHours'), message: tr(L, 'badPlan') }),
    );
  const coverage: Partial<Record<Weekday, [string, string][]>> = {};
  for (const d of WEEKDAYS) {
    const ranges = parseRanges(coverageText[d]);
    if (ranges === undefined)
      errors.push(tr(L, 'errField', { field: tr(L, DAY_KEY[d]), message: tr(L, 'badCoverage') }));
    else coverage[d] = ranges;
  }
  // Unchecked until the caller runs the API's schema over it (languages are any strings here).
  const patch = {
    name: form.name,
    timeZone: form.timeZone,
    emergencyNumber: form.emergencyNumber,
    contactPhone: form.contactPhone,
    languages: form.languages,
    defaultLanguage: form.defaultLanguage,
    coverage,
    ...(contactShown ? { patientContactInAlerts: form.patientContactInAlerts } : {}),
    ...(retentionShown && Number.isInteger(retention) ? { retentionYears: retention } : {}),
    ...(plan === undefined ? {} : { checkInPlanHours: plan }),
    ...(thoracicPlan === undefined ? {} : { thoracicPlanHours: thoracicPlan }),
  } as unknown as ClinicSettingsBody;
  return { form, patch, errors };
}

const EMPTY_STAFF: NewStaffForm = { email: '', displayName: '', role: DEFAULT_STAFF_ROLE };
const EMPTY_WEBHOOK: WebhookForm = { id: '', url: '', format: 'native' };
const EMPTY_TOKEN: NewTokenForm = { name: '', days: String(DEFAULT_TOKEN_DAYS) };

/** Run the schema a service takes over a parsed form; its problems in the page's words. */
function schemaErrors(
  request: FastifyRequest,
  L: Locale,
  schema: Parameters<FastifyRequest['compileValidationSchema']>[0],
  input: unknown,
): string[] {
  const validate = request.compileValidationSchema(schema);
  if (validate(input)) return [];
  return fieldIssuesFromAjv(
    (validate.errors ?? []) as Parameters<typeof fieldIssuesFromAjv>[0],
    'body',
  ).map((i) => issueText(L, i));
}

const ESCALATION_LABEL: Readonly<Record<string, EscalationMessageKey>> = {
  emergencyMinutes: 'escEmergency',
  urgentMinutes: 'escUrgent',
  routineMinutes: 'escRoutine',
  missedCheckInMinutes: 'escMissed',
  alertEmail: 'escAlertEmail',
  afterHoursPhone: 'escAfterHours',
  name: 'escName',
  email: 'escEmail',
  phone: 'escPhone',
  language: 'escLanguage',
};

/** `contacts[1].email` → "Contact 2, E-mail: …"; `urgentMinutes` → "Urgent alerts: …". */
function escalationIssueText(L: Locale, issue: FieldIssue): string {
  const contact = /^contacts\[(\d+)\](?:\.(\w+))?/.exec(issue.field);
  const label =
    contact?.[1] !== undefined
      ? [
          tesc(L, 'escContact', { n: Number(contact[1]) + 1 }),
          ...(contact[2] !== undefined && ESCALATION_LABEL[contact[2]] !== undefined
            ? [tesc(L, ESCALATION_LABEL[contact[2]] as EscalationMessageKey)]
            : []),
        ].join(', ')
      : ESCALATION_LABEL[issue.field] !== undefined
        ? tesc(L, ESCALATION_LABEL[issue.field] as EscalationMessageKey)
        : issue.field;
  return tesc(L, 'escFieldError', { field: label, message: issueWords(L, issue) });
}

/**
 * The escalation form → the API's escalation body (decision 0502): minutes as whole numbers
 * (routine empty: never), empty optional fields as null, and the contact rows that hold
 * anything, in order.
 */
export function parseEscalationForm(
  L: Locale,
  body: unknown,
): { form: EscalationForm; patch: EscalationPatch; errors: string[] } {
  const errors: string[] = [];
  const contacts: EscalationContactForm[] = [];
  for (let i = 0; i < 50; i += 1) {
    const row = {
      name: field(body, `c${i}_name`).trim(),
      email: field(body, `c${i}_email`).trim(),
      phone: field(body, `c${i}_phone`).trim(),
      language: field(body, `c${i}_language`),
    };
    if (row.name !== '' || row.email !== '' || row.phone !== '') contacts.push(row);
  }
  const form: EscalationForm = {
    emergencyMinutes: field(body, 'emergencyMinutes').trim(),
    urgentMinutes: field(body, 'urgentMinutes').trim(),
    routineMinutes: field(body, 'routineMinutes').trim(),
    missedCheckInMinutes: field(body, 'missedCheckInMinutes').trim(),
    alertEmail: field(body, 'alertEmail').trim(),
    afterHoursPhone: field(body, 'afterHoursPhone').trim(),
    contacts,
  };
  const minutes = (key: keyof EscalationForm, label: EscalationMessageKey, optional: boolean) => {
    const text = form[key] as string;
    if (optional && text === '') return null;
    if (/^\d{1,5}$/.test(text) && Number(text) >= 1 && Number(text) <= 10_080) return Number(text);
    errors.push(tesc(L, 'escMinutesBad', { field: tesc(L, label), max: 10_080 }));
    return undefined;
  };
  if (contacts.length > MAX_ESCALATION_CONTACTS)
    errors.push(tesc(L, 'escTooMany', { max: MAX_ESCALATION_CONTACTS }));
  const patch: EscalationPatch = {
    emergencyMinutes: minutes('emergencyMinutes', 'escEmergency', false),
    urgentMinutes: minutes('urgentMinutes', 'escUrgent', false),
    routineMinutes: minutes('routineMinutes', 'escRoutine', true),
    missedCheckInMinutes: minutes('missedCheckInMinutes', 'escMissed', false),
    alertEmail: form.alertEmail === '' ? null : form.alertEmail,
    afterHoursPhone: form.afterHoursPhone === '' ? null : form.afterHoursPhone,
    contacts: contacts.map((c) => ({
      name: c.name,
      email: c.email === '' ? null : c.email,
      phone: c.phone === '' ? null : c.phone,
      ...(c.language === '' ? {} : { language: c.language }),
    })),
  };
  return { form, patch, errors };
}

/** Clinic admins: practitioners (list, add, deactivate) and settings, through the same services as the API. */
export async function dashboardClinicRoutes(app: FastifyInstance): Promise<void> {
  const { deps } = app;
  const zones = Intl.supportedValuesOf('timeZone');

  async function show(
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    parts: {
      settings?: SettingsForm;
      settingsErrors?: string[];
      newStaff?: NewStaffForm;
      staffErrors?: string[];
      webhookForm?: WebhookForm;
      webhookErrors?: string[];
      escalation?: EscalationForm;
      escalationErrors?: string[];
      roleErrors?: string[];
      newToken?: NewTokenForm;
      tokenErrors?: string[];
      madeToken?: { token: string; expiresAt: string };
      flash?: string;
    },
  ) {
    const { clinic, page } = staffOf(request);
    const list = await listClinicStaff(deps, requestActor(request));
    const webhooks = await listWebhooks(deps, requestActor(request));
    const escalation =
      parts.escalation ??
      escalationFormOf(await readEscalationSettings(deps, requestActor(request)));
    const tokens = await listClinicApiTokens(deps, requestActor(request));
    const settings = parts.settings ?? settingsFormOf(clinic);
    const timeZones = zones.includes(settings.timeZone) ? zones : [settings.timeZone, ...zones];
    return sendPage(
      reply,
      status,
      clinicPage(
        page,
        {
          escalation,
          escalationErrors: parts.escalationErrors ?? [],
          webhooks,
          webhookForm: parts.webhookForm ?? EMPTY_WEBHOOK,
          webhookErrors: parts.webhookErrors ?? [],
          staff: list,
          settings,
          settingsErrors: parts.settingsErrors ?? [],
          newStaff: parts.newStaff ?? EMPTY_STAFF,
          staffErrors: parts.staffErrors ?? [],
          roleErrors: parts.roleErrors ?? [],
          timeZones,
          tokens,
          newToken: parts.newToken ?? EMPTY_TOKEN,
          tokenErrors: parts.tokenErrors ?? [],
          madeToken: parts.madeToken,
          now: deps.clock.now(),
          timeZone: clinic.timeZone,
        },
        parts.flash,
      ),
    );
  }

  const DONE: Readonly<Record<string, DashboardMessageKey>> = {
    settings: 'settingsSaved',
    added: 'staffAdded',
    deactivated: 'staffDeactivated',
    resent: 'inviteResent',
    revoked: 'inviteRevoked',
    webhook: 'webhookSaved',
    webhookDeleted: 'webhookDeleted',
  };
  const PEOPLE_DONE = { role: 'roleChanged', tokenRevoked: 'tokenRevokedDone' } as const;

  app.get<{ Querystring: { done?: string; name?: string; role?: string } }>(
    '/clinic',
    { config: adminRoute },
    async (request, reply) => {
      const { page } = staffOf(request);
      const done = request.query.done;
      const key = done === undefined ? undefined : DONE[done];
      const name = (request.query.name ?? '').slice(0, 200);
      const peopleKey =
        done !== undefined && Object.hasOwn(PEOPLE_DONE, done)
          ? PEOPLE_DONE[done as keyof typeof PEOPLE_DONE]
          : undefined;
      const role = request.query.role === 'admin' ? 'roleAdmin' : 'rolePractitioner';
      const flash =
        key !== undefined
          ? tr(page.locale, key, { name })
          : done === 'escalation'
            ? tesc(page.locale, 'escSaved')
            : peopleKey !== undefined
              ? tpeople(page.locale, peopleKey, { name, role: tr(page.locale, role).toLowerCase() })
              : undefined;
      return show(request, reply, 200, flash === undefined ? {} : { flash });
    },
  );

  app.post('/clinic/settings', { config: adminRoute }, async (request, reply) => {
    const L = staffOf(request).page.locale;
    const { form, patch, errors } = parseSettingsForm(L, request.body);
    if (errors.length === 0)
      errors.push(...schemaErrors(request, L, clinicSettingsPatchSchema, patch));
    if (errors.length > 0)
      return show(request, reply, 400, { settings: form, settingsErrors: [...new Set(errors)] });
    try {
      await updateClinic(deps, requestActor(request), patch);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        return show(request, reply, 400, {
          settings: form,
          settingsErrors: error.errors.map((i) => issueText(L, i)),
        });
      }
      throw error;
    }
    return reply.redirect('/app/clinic?done=settings', 303);
  });

  app.post('/clinic/staff', { config: adminRoute }, async (request, reply) => {
    const L = staffOf(request).page.locale;
    const role = field(request.body, 'role');
    const language = field(request.body, 'language');
    const input = {
      email: field(request.body, 'email').trim(),
      displayName: field(request.body, 'displayName').trim(),
      ...(role === '' ? {} : { role }),
      ...(language === '' ? {} : { language }),
    };
    const newStaff: NewStaffForm = {
      email: input.email,
      displayName: input.displayName,
      role: role || DEFAULT_STAFF_ROLE,
    };
    const staffErrors = schemaErrors(request, L, newStaffSchema, input);
    if (staffErrors.length > 0) return show(request, reply, 400, { newStaff, staffErrors });
    try {
      // The schema has just checked the shape.
      await createStaff(deps, requestActor(request), input as NewStaffInput);
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict')
        return show(request, reply, 409, { newStaff, staffErrors: [tr(L, 'emailInUse')] });
      // A name the shared check refuses (control characters, text-direction overrides).
      if (error instanceof AppError && error.code === 'validation_failed')
        return show(request, reply, 400, {
          newStaff,
          staffErrors: error.errors.map((i) => issueText(L, i)),
        });
      throw error;
    }
    return reply.redirect(
      `/app/clinic?done=added&name=${encodeURIComponent(input.displayName)}`,
      303,
    );
  });

  for (const [path, done] of [
    ['resend-invitation', 'resent'],
    ['revoke-invitation', 'revoked'],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/clinic/staff/:id/${path}`,
      { config: adminRoute },
      async (request, reply) => {
        const actor = requestActor(request);
        const userId = request.params.id;
        try {
          const user =
            done === 'resent'
              ? (await resendInvitation(deps, actor, { userId })).user
              : await revokeInvitation(deps, actor, { userId });
          return reply.redirect(
            `/app/clinic?done=${done}&name=${encodeURIComponent(user.displayName)}`,
            303,
          );
        } catch (error) {
          // The page offers the buttons only for pending invitations of this clinic.
          if (
            error instanceof AppError &&
            (error.code === 'conflict' || error.code === 'not_found')
          )
            return sendPage(
              reply,
              404,
              messagePage(staffOf(request).page, 'notFoundTitle', 'notFoundText'),
            );
          throw error;
        }
      },
    );
  }

  app.post<{ Params: { id: string } }>(
    '/clinic/staff/:id/deactivate',
    { config: adminRoute },
    async (request, reply) => {
      try {
        const user = await deactivateStaff(deps, requestActor(request), {
          userId: request.params.id,
        });
        return reply.redirect(
          `/app/clinic?done=deactivated&name=${encodeURIComponent(user.displayName)}`,
          303,
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'conflict' && error.errors.length > 0) {
          const target = (await listClinicStaff(deps, requestActor(request))).find(
            (u) => u.id === request.params.id,
          );
          return show(request, reply, 409, {
            roleErrors: [
              tpeople(staffOf(request).page.locale, 'lastAdminDeactivate', {
                name: target?.displayName ?? '',
              }),
            ],
          });
        }
        // The page offers no button for oneself: asking anyway finds nothing to deactivate.
        if (error instanceof AppError && (error.code === 'conflict' || error.code === 'not_found'))
          return sendPage(
            reply,
            404,
            messagePage(staffOf(request).page, 'notFoundTitle', 'notFoundText'),
          );
        throw error;
      }
    },
  );

  app.post('/clinic/escalation', { config: adminRoute }, async (request, reply) => {
    const L = staffOf(request).page.locale;
    const { form, patch, errors } = parseEscalationForm(L, request.body);
    if (errors.length === 0) errors.push(...schemaErrors(request, L, escalationPatchSchema, patch));
    if (errors.length > 0)
      return show(request, reply, 400, {
        escalation: form,
        escalationErrors: [...new Set(errors)],
      });
    try {
      await updateEscalationSettings(deps, requestActor(request), patch);
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        return show(request, reply, 400, {
          escalation: form,
          escalationErrors: error.errors.map((i) => escalationIssueText(L, i)),
        });
      }
      throw error;
    }
    return reply.redirect('/app/clinic?done=escalation', 303);
  });

  app.post('/clinic/webhooks', { config: adminRoute }, async (request, reply) => {
    const L = staffOf(request).page.locale;
    const id = field(request.body, 'id').trim();
    const url = field(request.body, 'url').trim();
    const secret = field(request.body, 'secret');
    const format = field(request.body, 'format') || 'native';
    const webhookForm: WebhookForm = { id, url, format };
    const body = { url, format, ...(secret === '' ? {} : { secret }) };
    const errors = schemaErrors(request, L, saveWebhookSchema, body);
    if (errors.length > 0) return show(request, reply, 400, { webhookForm, webhookErrors: errors });
    try {
      // The schema has just checked the shape.
      await saveWebhook(deps, requestActor(request), {
        id,
        ...(body as { url: string; secret?: string; format?: 'native' | 'fhir' }),
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed') {
        return show(request, reply, 400, {
          webhookForm,
          webhookErrors: error.errors.map((i) => issueText(L, i)),
        });
      }
      throw error;
    }
    return reply.redirect(`/app/clinic?done=webhook&name=${encodeURIComponent(id)}`, 303);
  });

  app.post<{ Params: { id: string } }>(
    '/clinic/webhooks/:id/delete',
    { config: adminRoute },
    async (request, reply) => {
      try {
        await deleteWebhook(deps, requestActor(request), request.params.id);
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found')
          return sendPage(
            reply,
            404,
            messagePage(staffOf(request).page, 'notFoundTitle', 'notFoundText'),
          );
        throw error;
      }
      return reply.redirect(
        `/app/clinic?done=webhookDeleted&name=${encodeURIComponent(request.params.id)}`,
        303,
      );
    },
  );

  app.post<{ Params: { id: string } }>(
    '/clinic/staff/:id/role',
    { config: adminRoute },
    async (request, reply) => {
      const L = staffOf(request).page.locale;
      const role = field(request.body, 'role');
      if (role !== 'admin' && role !== 'practitioner')
        return show(request, reply, 400, {
          roleErrors: [tpeople(L, 'roleBad')],
        });
      try {
        const user = await changeStaffRole(deps, requestActor(request), {
          userId: request.params.id,
          role,
        });
        // Demoting oneself leaves the admin pages: go to the queue instead.
        if (user.id === staffOf(request).staff.userId && role === 'practitioner')
          return reply.redirect('/app', 303);
        return reply.redirect(
          `/app/clinic?done=role&role=${role}&name=${encodeURIComponent(user.displayName)}`,
          303,
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'conflict') {
          const target = (await listClinicStaff(deps, requestActor(request))).find(
            (u) => u.id === request.params.id,
          );
          return show(request, reply, 409, {
            roleErrors: [tpeople(L, 'lastAdminDemote', { name: target?.displayName ?? '' })],
          });
        }
        if (error instanceof AppError && error.code === 'not_found')
          return sendPage(
            reply,
            404,
            messagePage(staffOf(request).page, 'notFoundTitle', 'notFoundText'),
          );
        throw error;
      }
    },
  );

  app.post('/clinic/api-tokens', { config: adminRoute }, async (request, reply) => {
    const L = staffOf(request).page.locale;
    const newToken: NewTokenForm = {
      name: field(request.body, 'name').trim(),
      days: field(request.body, 'days').trim(),
    };
    const tokenErrors: string[] = [];
    if (newToken.name === '' || newToken.name.length > 100)
      tokenErrors.push(tpeople(L, 'tokenNameRequired'));
    const days = /^\d{1,4}$/.test(newToken.days) ? Number(newToken.days) : NaN;
    if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)
      tokenErrors.push(tpeople(L, 'tokenDaysBad', { max: MAX_TOKEN_DAYS }));
    if (tokenErrors.length > 0) return show(request, reply, 400, { newToken, tokenErrors });
    try {
      const made = await createApiToken(deps, requestActor(request), {
        name: newToken.name,
        expiresInDays: days,
      });
      return show(request, reply, 201, {
        madeToken: { token: made.token, expiresAt: made.expiresAt ?? '' },
      });
    } catch (error) {
      if (error instanceof AppError && error.code === 'validation_failed')
        return show(request, reply, 400, {
          newToken,
          tokenErrors: [tpeople(L, 'tokenNameRequired')],
        });
      throw error;
    }
  });

  app.post<{ Params: { id: string } }>(
    '/clinic/api-tokens/:id/revoke',
    { config: adminRoute },
    async (request, reply) => {
      const actor = requestActor(request);
      const token = (await listClinicApiTokens(deps, actor)).find(
        (t) => t.id === request.params.id,
      );
      try {
        await revokeClinicApiToken(deps, actor, { tokenId: request.params.id });
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found')
          return sendPage(
            reply,
            404,
            messagePage(staffOf(request).page, 'notFoundTitle', 'notFoundText'),
          );
        throw error;
      }
      return reply.redirect(
        `/app/clinic?done=tokenRevoked&name=${encodeURIComponent(token?.name ?? '')}`,
        303,
      );
    },
  );
}
