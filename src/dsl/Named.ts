import { IllegalArgumentError } from '../errors.js';

/** A user-given name for a processor node (Kafka's `Named`). */
export class Named {
  protected constructor(readonly name: string | null) {}

  /** Names the node; the name must be a legal topic-name fragment. */
  static as(name: string): Named {
    validateName(name);
    return new Named(name);
  }

  /** @internal */
  static readonly EMPTY = new Named(null);
}

/** Kafka's rule for names that may end up in topic names: [a-zA-Z0-9._-], at most 249 chars. */
export function validateName(name: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new IllegalArgumentError('Name is illegal, it can\'t be empty');
  if (name.length > 249) throw new IllegalArgumentError('Name is illegal, it can\'t be longer than 249 characters');
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) {
    throw new IllegalArgumentError(`Name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`);
  }
}
