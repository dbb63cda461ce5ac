/** A KTable update: the new value and, when a downstream asked for it, the old one. */
export class Change<V> {
  constructor(
    readonly newValue: V | null,
    readonly oldValue: V | null,
  ) {}
}
