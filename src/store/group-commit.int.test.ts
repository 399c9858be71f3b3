import { expect, it } from 'vitest';
import { describeEachDialect } from '../../test/dialects.ts';
import type { Db } from './db.ts';
import { groupCommitStats, withGroupCommit } from './group-commit.ts';
import { findIdempotentResponse, saveIdempotentResponse } from './idempotency.repository.ts';

const AT = '2026-11-25T09:00:00.000Z';

function save(trx: Db, scope: string, key: string) {
  return saveIdempotentResponse(trx, {
    scope,
    key,
    requestHash: 'h',
    statusCode: 201,
    response: { key },
    createdAt: AT,
  });
}

describeEachDialect('group commit', (ctx) => {
  it('writes concurrent items in one transaction and answers each with its own result', async () => {
    const before = groupCommitStats(ctx.db, 'gc-many');
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const results = await Promise.all(
      keys.map((key) =>
        withGroupCommit(ctx.db, 'gc-many', async (trx) => {
          await save(trx, 'gc-many', key);
          return `done ${key}`;
        }),
      ),
    );
    expect(results).toEqual(keys.map((k) => `done ${k}`));
    const after = groupCommitStats(ctx.db, 'gc-many');
    expect(after.groups - before.groups).toBe(1);
    expect(after.largest).toBe(12);
    // Nothing failed: one run, without savepoints.
    expect(after.reruns - before.reruns).toBe(0);
    for (const key of keys) {
      expect(await findIdempotentResponse(ctx.db, 'gc-many', key)).toMatchObject({ key });
    }
  });

  it('one failing item rolls back alone: its neighbours commit and get their answers', async () => {
    const runs = [0, 0, 0, 0, 0];
    const outcomes = await Promise.allSettled(
      [0, 1, 2, 3, 4].map((i) =>
        withGroupCommit(ctx.db, 'gc-fail', async (trx) => {
          runs[i] = (runs[i] ?? 0) + 1;
          await save(trx, 'gc-fail', `k${i}`);
          if (i === 2) throw new Error('bad item');
          return i;
        }),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(outcomes[2]).toMatchObject({ reason: { message: 'bad item' } });
    expect(outcomes[4]).toMatchObject({ value: 4 });
    expect(groupCommitStats(ctx.db, 'gc-fail').largest).toBe(5);
    // The first run (no savepoints) stopped at item 2 and was rolled back; the group then ran
    // again with a savepoint per item.
    expect(runs).toEqual([2, 2, 2, 1, 1]);
    expect(groupCommitStats(ctx.db, 'gc-fail').reruns).toBe(1);
    for (const i of [0, 1, 3, 4]) {
      expect(await findIdempotentResponse(ctx.db, 'gc-fail', `k${i}`)).toBeDefined();
    }
    // The failed item's write was rolled back with its savepoint.
    expect(await findIdempotentResponse(ctx.db, 'gc-fail', 'k2')).toBeUndefined();
  });

  it('acknowledges an item only once the group has committed', async () => {
    const other = ctx.openAnother();
    const seenBeforeCommit: boolean[] = [];
    const settled = await Promise.all(
      [0, 1, 2].map((i) =>
        withGroupCommit(ctx.db, 'gc-ack', async (trx) => {
          await save(trx, 'gc-ack', `k${i}`);
          // Another connection does not see the write while the group is open.
          seenBeforeCommit.push(
            (await findIdempotentResponse(other, 'gc-ack', `k${i}`)) !== undefined,
          );
          return i;
        }).then(async (value) => ({
          value,
          seenAfter: (await findIdempotentResponse(other, 'gc-ack', `k${i}`)) !== undefined,
        })),
      ),
    );
    expect(seenBeforeCommit).toEqual([false, false, false]);
    expect(settled.map((s) => s.seenAfter)).toEqual([true, true, true]);
  });

  it('when the transaction itself fails, every item gets that error and none is stored', async () => {
    const outcomes = await Promise.allSettled(
      [0, 1, 2].map((i) =>
        withGroupCommit(
          ctx.db,
          'gc-broken',
          async (trx) => {
            await save(trx, 'gc-broken', `k${i}`);
            return i;
          },
          {
            beforeGroup: async () => {
              throw new Error('transaction failed');
            },
          },
        ),
      ),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const i of [0, 1, 2]) {
      expect(await findIdempotentResponse(ctx.db, 'gc-broken', `k${i}`)).toBeUndefined();
    }
  });

  it('a lone item runs in a plain transaction: its error rolls it back', async () => {
    await expect(
      withGroupCommit(ctx.db, 'gc-one', async (trx) => {
        await save(trx, 'gc-one', 'k');
        throw new Error('alone');
      }),
    ).rejects.toThrow('alone');
    expect(await findIdempotentResponse(ctx.db, 'gc-one', 'k')).toBeUndefined();
    expect(await withGroupCommit(ctx.db, 'gc-one', async (trx) => save(trx, 'gc-one', 'k'))).toBe(
      true,
    );
  });

  it("inside a caller's transaction it runs in that transaction", async () => {
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await withGroupCommit(trx, 'gc-nested', (inner) => save(inner, 'gc-nested', 'k'));
        throw new Error('caller rolls back');
      }),
    ).rejects.toThrow('caller rolls back');
    expect(await findIdempotentResponse(ctx.db, 'gc-nested', 'k')).toBeUndefined();
  });

  it('with two groups at a time, a key in a group being written waits: other keys go on', async () => {
    if (ctx.dialect !== 'postgres') return; // one group at a time on SQLite (one connection)
    const options = { concurrency: 2 };
    // Every item of key 'x' waits at `gate`, as a check-in waits on its session's row lock.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const order: string[] = [];
    const item = (name: string, key: string) =>
      withGroupCommit(
        ctx.db,
        'gc-keys',
        async (trx) => {
          if (key === 'x') await gate;
          await save(trx, 'gc-keys', name);
          order.push(name);
          return name;
        },
        options,
        key,
      );
    const x1 = item('x1', 'x');
    await new Promise((r) => setTimeout(r, 20)); // x1's group has started and waits
    const x2 = item('x2', 'x');
    const y1 = item('y1', 'y');
    // y1 is written in the second group while x1's group waits; x2 must not join it (it
    // would hold y1 back behind x's lock). Without keys, y1 waits for the gate: 'still waiting'.
    const first = await Promise.race([
      y1,
      new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 3000)),
    ]);
    expect(first).toBe('y1');
    expect(order).toEqual(['y1']);
    open();
    expect(await Promise.all([x1, x2])).toEqual(['x1', 'x2']);
    // x2 went in a group after x1's: one key's items keep their order.
    expect(order).toEqual(['y1', 'x1', 'x2']);
    expect(groupCommitStats(ctx.db, 'gc-keys').groups).toBe(3);
  });

  it('with a further group after 80 ms, arrivals wait for the group being written until then', async () => {
    if (ctx.dialect !== 'postgres') return; // one group at a time on SQLite (one connection)
    const options = { concurrency: 2, furtherGroupAfterMs: 80 };
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const written: { name: string; at: number }[] = [];
    const t0 = performance.now();
    const item = (name: string, key: string) =>
      withGroupCommit(
        ctx.db,
        'gc-further',
        async (trx) => {
          if (key === 'x') await gate;
          await save(trx, 'gc-further', name);
          written.push({ name, at: performance.now() - t0 });
          return name;
        },
        options,
        key,
      );
    const x1 = item('x1', 'x');
    try {
      await new Promise((r) => setTimeout(r, 20)); // x1's group has started and waits at the gate
      const y1 = item('y1', 'y');
      // A second group goes ahead beside the held-up one, but only once that one has been out
      // 80 ms: y1 waits until then (without the option it would have gone at once; with one
      // group at a time it would still wait: 'still waiting'). Timed from before x1 was added,
      // so a loaded machine's late timers cannot make a correct wait look short.
      const first = await Promise.race([
        y1,
        new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 3000)),
      ]);
      expect(first).toBe('y1');
      expect(written.map((w) => w.name)).toEqual(['y1']);
      expect(written[0]?.at).toBeGreaterThanOrEqual(80);
    } finally {
      // Always let x1's group finish: a group left at the gate would hold its connection and
      // keep the pool from closing.
      open();
    }
    expect(await x1).toBe('x1');
    expect(groupCommitStats(ctx.db, 'gc-further').groups).toBe(2);
  });

  it('with a further group after some time, arrivals while one group is written form one group', async () => {
    const options = { concurrency: 2, furtherGroupAfterMs: 1000 };
    const name = `gc-one-at-a-time-${ctx.dialect}`;
    const item = (key: string, slow = false) =>
      withGroupCommit(
        ctx.db,
        name,
        async (trx) => {
          if (slow) await new Promise((r) => setTimeout(r, 100));
          return save(trx, name, key);
        },
        options,
        key,
      );
    const first = item('k0', true);
    await new Promise((r) => setImmediate(r)); // the first group has started (100 ms)
    const wave1 = ['k1', 'k2', 'k3', 'k4'].map((k) => item(k));
    await new Promise((r) => setImmediate(r));
    const wave2 = ['k5', 'k6', 'k7', 'k8'].map((k) => item(k));
    await Promise.all([first, ...wave1, ...wave2]);
    // Both waves waited for the first group and went as one: two groups. Without the option
    // the first wave starts a second group at once and the second wave a third.
    expect(groupCommitStats(ctx.db, name)).toMatchObject({ groups: 2, items: 9, largest: 8 });
  });
});

describeEachDialect('group commit gathering after a group (decision 1445)', (ctx) => {
  /**
   * One item, then, once it is answered, arrivals spread over the event loop's next turns: one
   * at once (as a client answered first sends again), the others one and two turns later (as
   * the next clients' requests are read). Returns the queue's groups and largest group.
   */
  async function arrivalsAfterAGroup(gatherTurns: number) {
    const name = `gc-gather-${gatherTurns}-${ctx.dialect}`;
    const options = { gatherTurns };
    const item = (key: string) =>
      withGroupCommit(ctx.db, name, (trx) => save(trx, name, key), options, key);
    const later: Promise<unknown>[] = [];
    const turns = (n: number, then: () => void) => {
      if (n === 0) then();
      else setImmediate(() => turns(n - 1, then));
    };
    let allSent = () => {};
    const sent = new Promise<void>((resolve) => {
      allSent = resolve;
    });
    await item('first').then(() => {
      later.push(item('b'));
      turns(1, () => later.push(item('c')));
      turns(2, () => later.push(item('d')));
      turns(3, () => {
        later.push(item('e'));
        allSent();
      });
    });
    // Wait for the last turn itself, not for a timer: a loaded machine can block the loop for
    // longer than any fixed wait, and then the timer fires before the turns have run.
    await sent;
    await Promise.all(later);
    expect(later).toHaveLength(4);
    return groupCommitStats(ctx.db, name);
  }

  it('arrivals over the turns after a group join the next group', async () => {
    expect(await arrivalsAfterAGroup(16)).toMatchObject({ groups: 2, items: 5, largest: 4 });
  });

  it('without gathering they form groups of their own', async () => {
    const stats = await arrivalsAfterAGroup(1);
    expect(stats.items).toBe(5);
    expect(stats.groups).toBeGreaterThanOrEqual(3);
    expect(stats.largest).toBeLessThan(4);
  });

  it("a group's worth waiting ends the wait, however many turns keep bringing items", async () => {
    const name = `gc-gather-full-${ctx.dialect}`;
    const options = { gatherTurns: 1_000_000, maxItems: 8 };
    // How many items the stream had sent when the group after the first one started.
    let sentAtStart: number | undefined;
    const stream: Promise<unknown>[] = [];
    const item = (key: string) =>
      withGroupCommit(
        ctx.db,
        name,
        (trx) => {
          if (key !== 'first') sentAtStart ??= stream.length;
          return save(trx, name, key);
        },
        options,
        key,
      );
    await item('first');
    // After the first group, an item on every turn, up to 400, until the next group starts.
    // Without the cap the wait would last as long as they keep coming: all 400.
    const every = () => {
      if (sentAtStart !== undefined || stream.length >= 400) return;
      stream.push(item(`s${stream.length}`));
      setImmediate(every);
    };
    every();
    await stream[0];
    await Promise.all(stream);
    expect(sentAtStart).toBeLessThan(400);
    expect(stream.length).toBeLessThan(400);
  });

  it('a turn that brings nothing ends the wait: a quiet queue does not wait out its turns', async () => {
    const name = `gc-gather-quiet-${ctx.dialect}`;
    const options = { gatherTurns: 1_000_000 };
    const item = (key: string) =>
      withGroupCommit(ctx.db, name, (trx) => save(trx, name, key), options, key);
    await item('first');
    // A million turns would take seconds; the wait ends after the first turn that takes in
    // nothing, so the second group is written at once.
    const t0 = performance.now();
    await item('second');
    expect(performance.now() - t0).toBeLessThan(500);
    expect(groupCommitStats(ctx.db, name)).toMatchObject({ groups: 2, items: 2 });
  });
});

describeEachDialect(
  'group commit waiting for the clients a group answered (decision 1449)',
  (ctx) => {
    const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    /**
     * A group of `answered` items, and one more item that arrives while it is written (it
     * waits). Once the group is answered, its clients send again `afterMs` apart (`afterMs` 0:
     * never). Returns the sizes of the groups written after the first, in order, and how long
     * after the answers the first of them started (ms).
     */
    async function answeredSendAgain(
      name: string,
      options: { gatherQuietMs?: number; gatherMaxMs?: number; gatherQuietFrom?: number },
      answered: number,
      afterMs: number,
    ) {
      const sizes: number[] = [];
      let waiting: Promise<unknown> | undefined;
      let answeredAt = 0;
      let nextStarted = 0;
      let current: object | undefined;
      const all = { gatherTurns: 16, ...options, prefetch: async () => ({}) };
      const item = (key: string): Promise<unknown> =>
        withGroupCommit(
          ctx.db,
          name,
          async (trx, shared) => {
            // `shared` is the group's own object (a group of one gets none): it tells groups apart.
            const group = (shared as object | undefined) ?? {};
            if (group !== current) {
              current = group;
              sizes.push(0);
              if (answeredAt > 0 && nextStarted === 0) nextStarted = performance.now();
            }
            sizes[sizes.length - 1] = (sizes.at(-1) ?? 0) + 1;
            if (key === 'a0') waiting = item('waiting');
            return save(trx, name, key);
          },
          all,
          key,
        );
      await Promise.all(Array.from({ length: answered }, (_, i) => item(`a${i}`)));
      answeredAt = performance.now();
      const again: Promise<unknown>[] = [];
      if (afterMs > 0) {
        for (let i = 0; i < answered; i += 1) {
          await wait(afterMs);
          again.push(item(`b${i}`));
        }
      }
      await Promise.all([waiting, ...again]);
      return { after: sizes.slice(1), startedMs: nextStarted - answeredAt };
    }

    it('the clients answered join the one waiting, though turns that bring nothing pass between them', async () => {
      // Sent again 5 ms apart: many turns that bring nothing pass in between. The quiet spell
      // is far longer than that gap, so a loaded machine's late timers do not end the wait.
      const name = `gc-answered-${ctx.dialect}`;
      const { after } = await answeredSendAgain(
        name,
        { gatherQuietMs: 250, gatherMaxMs: 5000 },
        8,
        5,
      );
      expect(after).toEqual([9]);
    });

    it('without it, the one waiting goes alone and the answered ones form groups of their own', async () => {
      const name = `gc-answered-off-${ctx.dialect}`;
      // Sent again 25 ms apart, still well inside the quiet spell above. Without the option the
      // waiting one's group starts two event-loop turns after the first group ends; at 5 ms a
      // loaded machine that stalled this process between those turns let the first one sent
      // again join it (a clean-clone run, fiftieth round).
      const { after } = await answeredSendAgain(name, {}, 8, 25);
      expect(after[0]).toBe(1);
      expect(after.reduce((a, b) => a + b, 0)).toBe(9);
    });

    it('after a group smaller than gatherQuietFrom, a turn that brings nothing still ends the wait', async () => {
      const name = `gc-answered-small-${ctx.dialect}`;
      // Sent again 30 ms apart, inside the 50 ms quiet spell that would have caught the first:
      // 5 ms let a busy machine's slow turn bring the waiting item and the first resend at once
      // (a Node 24 run beside a browser, thirty-first round).
      const { after } = await answeredSendAgain(name, { gatherQuietMs: 50 }, 3, 30);
      expect(after[0]).toBe(1);
      // With gatherQuietFrom at 3 the same group waits for its clients. Its quiet spell is far
      // longer than their 5 ms gaps: at 50 ms a loaded clean-clone run's late timers ended the
      // wait before the first resend (thirty-third round).
      const from = await answeredSendAgain(
        `${name}-from`,
        { gatherQuietMs: 250, gatherMaxMs: 5000, gatherQuietFrom: 3 },
        3,
        5,
      );
      expect(from.after).toEqual([4]);
    });

    it('a quiet spell ends the wait when the clients answered send nothing', async () => {
      const name = `gc-answered-quiet-${ctx.dialect}`;
      const { after, startedMs } = await answeredSendAgain(name, { gatherQuietMs: 30 }, 8, 0);
      expect(after).toEqual([1]);
      // The quiet spell (30 ms) from the first turn that brought nothing: not seconds.
      expect(startedMs).toBeGreaterThanOrEqual(25);
      expect(startedMs).toBeLessThan(1000);
    });

    it('the wait ends after gatherMaxMs while items keep trickling in', async () => {
      const name = `gc-answered-max-${ctx.dialect}`;
      // Ten answered, sent again 15 ms apart (always inside the 200 ms quiet spell): waiting for
      // all ten would take 150 ms; the next group starts at 60 ms with those that came by then.
      const { after, startedMs } = await answeredSendAgain(
        name,
        { gatherQuietMs: 200, gatherMaxMs: 60 },
        10,
        15,
      );
      expect(after[0]).toBeLessThan(11);
      expect(startedMs).toBeLessThan(150);
    });
  },
);

describeEachDialect('group commit lingering for more items (decision 1476)', (ctx) => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * An item on `name` that records the group it ran in (`shared` is the group's own object; a
   * group of one gets none) and when it was answered.
   */
  function recorder(name: string, options: { lingerMs: number; lingerBelow?: number }) {
    const groups: string[][] = [];
    let current: object | undefined;
    const all = { ...options, prefetch: async () => ({}) };
    const item = async (key: string) => {
      const sent = performance.now();
      await withGroupCommit(
        ctx.db,
        name,
        (trx, shared) => {
          const group = (shared as object | undefined) ?? {};
          if (group !== current) {
            current = group;
            groups.push([]);
          }
          groups.at(-1)?.push(key);
          return save(trx, name, key);
        },
        all,
        key,
      );
      return performance.now() - sent;
    };
    // Items that came in together: the arrivals' average gap is then near nothing. As many as
    // `lingerBelow`, so that they do not wait themselves.
    const burst = (n: number, prefix: string) =>
      Promise.all(Array.from({ length: n }, (_, i) => item(`${prefix}${i}`)));
    return { groups, item, burst };
  }

  it('while items keep coming, a small group waits for the next arrivals and takes them', async () => {
    const r = recorder(`gc-linger-${ctx.dialect}`, { lingerMs: 300, lingerBelow: 4 });
    await r.burst(4, 'p');
    // Three arrivals 20 ms apart: each would go alone without the wait.
    const answered = [r.item('x')];
    await wait(20);
    answered.push(r.item('y'));
    await wait(20);
    answered.push(r.item('z'));
    const latencies = await Promise.all(answered);
    expect(r.groups.at(-1)).toEqual(['x', 'y', 'z']);
    // x waited out the linger (300 ms from its arrival), no longer than a write after it.
    expect(latencies[0]).toBeGreaterThanOrEqual(295);
    expect(latencies[0]).toBeLessThan(5000);
  });

  it('lingerBelow items waiting start the group at once', async () => {
    const r = recorder(`gc-linger-full-${ctx.dialect}`, { lingerMs: 20_000, lingerBelow: 5 });
    await r.burst(5, 'p');
    // One item per turn: the fifth starts the group, long before the 20 s linger.
    const answered: Promise<number>[] = [];
    for (let i = 0; i < 5; i += 1) {
      answered.push(r.item(`s${i}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const latencies = await Promise.all(answered);
    expect(r.groups.at(-1)).toEqual(['s0', 's1', 's2', 's3', 's4']);
    expect(Math.max(...latencies)).toBeLessThan(10_000);
  });

  it('a queue whose items come in seldom does not wait', async () => {
    const r = recorder(`gc-linger-quiet-${ctx.dialect}`, { lingerMs: 20_000 });
    // The first item has no arrival before it to measure a gap from: it does not wait 20 s.
    expect(await r.item('first')).toBeLessThan(10_000);
    // Here the second came 300 ms after the first: over half the 400 ms linger, so no wait.
    const r2 = recorder(`gc-linger-seldom-${ctx.dialect}`, { lingerMs: 400 });
    await r2.item('a');
    await wait(300);
    expect(await r2.item('b')).toBeLessThan(390);
    expect(r2.groups).toEqual([['a'], ['b']]);
  });
});
