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
}
