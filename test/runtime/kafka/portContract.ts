/**
 * The contract of the Kafka port, written once and run against every adapter: the
 * embedded broker (embedded.test.ts) and kafkajs on a real broker
 * (kafkajs.integration.test.ts). Each test uses its own topics and groups, so tests do
 * not depend on each other or on a fresh broker. The tests live in ./contract/.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { adminAndProducerContract } from './contract/adminProducer.js';
import { ContractContext, type PortHarness } from './contract/helpers.js';
import { groupConsumerContract } from './contract/groupConsumer.js';
import { transactionContract } from './contract/transactions.js';

export { eventually, labelAssignor, pollAllUntil, pollUntil, type PortHarness, unique } from './contract/helpers.js';

export function portContract(name: string, makeHarness: () => Promise<PortHarness>): void {
  describe(`Kafka port contract: ${name}`, () => {
    const ctx = new ContractContext();
    beforeAll(async () => {
      ctx.h = await makeHarness();
      ctx.admin = await ctx.h.port.admin();
    });
    afterAll(async () => {
      await ctx.h?.close();
    });
    adminAndProducerContract(ctx);
    groupConsumerContract(ctx);
    transactionContract(ctx);
  });
}
