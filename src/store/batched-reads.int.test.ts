import { beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import { readBatched, readBatchStats } from './batched-reads.ts';
import { withTransaction } from './db.ts';
import { findLinkWithClinicState, insertPatientLink } from './links.repository.ts';
import { FIXED_NOW, seedSession } from './test-fixtures.ts';

const LINK_READS = 'link-with-clinic-state';
const EXPIRES = '2027-01-01T00:00:00.000Z';

describeEachDialect('batched reads', (ctx) => {
  const hashes = Array.from({ length: 5 }, (_, i) => `hash-${i}`.padEnd(64, '0'));
  let sessionId = '';

  beforeAll(async () => {
    const { session } = await seedSession(ctx.db);
    sessionId = session.id;
    for (const tokenHash of hashes) {
      await insertPatientLink(ctx.db, {
        sessionId,
        clinicId: session.clinicId,
        tokenHash,
        createdAt: FIXED_NOW,
        expiresAt: EXPIRES,
      });
    }
  });

  it('link lookups asked for in one turn are one statement, and each gets its own link', async () => {
    const before = readBatchStats(ctx.db, LINK_READS);
    const unknown = 'unknown'.padEnd(64, '0');
    const asked = [...hashes, unknown, hashes[0] as string];
    const found = await Promise.all(asked.map((h) => findLinkWithClinicState(ctx.db, h)));
    const after = readBatchStats(ctx.db, LINK_READS);
    expect(after.statements - before.statements).toBe(1);
    // The repeated hash is read once.
    expect(after.keys - before.keys).toBe(6);
    expect(found.map((f) => f?.link.tokenHash)).toEqual([...hashes, undefined, hashes[0]]);
    for (const f of found.filter((x) => x !== undefined)) {
      expect(f.link.sessionId).toBe(sessionId);
      expect(f.link.patientId).toBeTruthy();
      expect(f.clinicSuspendedAt).toBeNull();
    }
  });

  it('lookups in later turns are statements of their own', async () => {
    const before = readBatchStats(ctx.db, LINK_READS).statements;
    for (const h of hashes.slice(0, 3)) {
      expect((await findLinkWithClinicState(ctx.db, h))?.link.tokenHash).toBe(h);
    }
    expect(readBatchStats(ctx.db, LINK_READS).statements - before).toBe(3);
  });

  it('inside a transaction the read is made at once and sees its own writes', async () => {
    const before = readBatchStats(ctx.db, LINK_READS).statements;
    const fresh = 'fresh'.padEnd(64, '0');
    const seen = await withTransaction(ctx.db, async (trx) => {
      const { clinicId } = (await findLinkWithClinicState(trx, hashes[0] as string))?.link ?? {};
      await insertPatientLink(trx, {
        sessionId,
        clinicId: clinicId as string,
        tokenHash: fresh,
        createdAt: FIXED_NOW,
        expiresAt: EXPIRES,
      });
      return findLinkWithClinicState(trx, fresh);
    });
    expect(seen?.link.tokenHash).toBe(fresh);
    expect(readBatchStats(ctx.db, LINK_READS).statements).toBe(before);
  });

  it('a failed statement fails every caller in its batch, and the next batch reads again', async () => {
    let calls = 0;
    const readMany = async (_db: unknown, keys: readonly string[]) => {
      calls += 1;
      if (calls === 1) throw new Error('database went away');
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    };
    const first = await Promise.allSettled(
      ['a', 'b', 'c'].map((k) => readBatched(ctx.db, 'probe', k, readMany)),
    );
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(
      await Promise.all(['a', 'b'].map((k) => readBatched(ctx.db, 'probe', k, readMany))),
    ).toEqual(['A', 'B']);
    expect(calls).toBe(2);
  });

  it('more keys than one statement takes are split', async () => {
    const seen: number[] = [];
    const readMany = async (_db: unknown, keys: readonly number[]) => {
      seen.push(keys.length);
      return new Map(keys.map((k) => [k, k * 2]));
    };
    const keys = Array.from({ length: 10 }, (_, i) => i);
    const got = await Promise.all(keys.map((k) => readBatched(ctx.db, 'split', k, readMany, 4)));
    expect(got).toEqual(keys.map((k) => k * 2));
    expect(seen).toEqual([4, 4, 2]);
  });
});
