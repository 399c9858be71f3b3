import { hash, verify } from '@node-rs/argon2';
import type { Argon2Params } from '../config/env.ts';

/**
 * Password hashing with Argon2id (docs/decisions/0200-argon2-parameters.md). The parameters
 * come from config: OWASP's minimum in production, lower only in tests.
 */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hashed: string, password: string): Promise<boolean>;
  /** Spend the same time as a real verify, for unknown accounts (no timing oracle). */
  verifyDummy(password: string): Promise<void>;
}

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export function createPasswordHasher(params: Argon2Params): PasswordHasher {
  // The algorithm is left at the library default, Argon2id: `Algorithm` is a const enum that
  // does not exist at run time under tsx. passwords.test.ts checks the `$argon2id$` prefix.
  const options = {
    memoryCost: params.memoryCost,
    timeCost: params.timeCost,
    parallelism: params.parallelism,
  };
  let dummy: Promise<string> | undefined;
  return {
    hash: (password) => hash(password, options),
    verify: async (hashed, password) => {
      try {
        return await verify(hashed, password);
      } catch {
        return false;
      }
    },
    verifyDummy: async (password) => {
      dummy ??= hash('not-a-real-password', options);
      await verify(await dummy, password).catch(() => false);
    },
  };
}
