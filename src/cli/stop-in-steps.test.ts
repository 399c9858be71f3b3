import { describe, expect, it } from 'vitest';
import { stopInSteps } from './stop-in-steps.ts';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stopInSteps', () => {
  it('runs the steps in order and names only the one that is slow, once', async () => {
    const order: string[] = [];
    const slow: string[] = [];
    await stopInSteps(
      [
        ['the HTTP server', async () => order.push('http')],
        [
          'the outbox worker',
          async () => {
            await wait(200);
            order.push('worker');
          },
        ],
        ['the database', async () => order.push('db')],
      ],
      (name, afterMs) => slow.push(`${name} after ${afterMs} ms`),
      50,
    );
    expect(order).toEqual(['http', 'worker', 'db']);
    expect(slow).toEqual(['the outbox worker after 50 ms']);
  });

  it('passes a failing step on, after naming nothing for a fast failure', async () => {
    const slow: string[] = [];
    const later: string[] = [];
    await expect(
      stopInSteps(
        [
          [
            'the HTTP server',
            async () => {
              throw new Error('close failed');
            },
          ],
          ['the database', async () => later.push('db')],
        ],
        (name) => slow.push(name),
        50,
      ),
    ).rejects.toThrow('close failed');
    await wait(80);
    expect(slow).toEqual([]);
    expect(later).toEqual([]);
  });
});
