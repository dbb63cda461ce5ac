/**
 * Generates node and store names in Kafka's style. One counter serves both,
 * in the order the DSL calls are made, so names match Kafka Streams'
 * (`KSTREAM-MAPVALUES-0000000002`, `KSTREAM-AGGREGATE-STATE-STORE-0000000003`).
 */
export class NameProvider {
  private index = 0;

  newProcessorName(prefix: string): string {
    return prefix + String(this.index++).padStart(10, '0');
  }

  newStoreName(prefix: string): string {
    return `${prefix}STATE-STORE-${String(this.index++).padStart(10, '0')}`;
  }

  /**
   * Kafka's NamedInternal.orElseGenerateWithPrefix: a user-given name wins,
   * but a number is drawn all the same, so that naming one node does not
   * shift the generated names of the nodes after it.
   */
  orElseGenerate(name: string | null | undefined, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    return name ?? generated;
  }

  /** Kafka's NamedInternal.suffixWithOrElseGet(suffix, provider, prefix): the given name plus a suffix, drawing a number either way. */
  suffixedOrElseGenerate(name: string | null | undefined, suffix: string, prefix: string): string {
    const generated = this.newProcessorName(prefix);
    return name === null || name === undefined ? generated : name + suffix;
  }
}
