import { describe, expect, it } from 'vitest';
import { assignTasks } from '../../../src/runtime/assignment/TaskAssignor.js';
import { decodeAssignment, decodeSubscription, encodeSubscription } from '../../../src/runtime/assignment/AssignmentInfo.js';
import { StreamsPartitionAssignor } from '../../../src/runtime/assignment/StreamsPartitionAssignor.js';
import { TopologyMetadata } from '../../../src/runtime/topics/TopologyMetadata.js';
import { wordCountTopology } from '../../../examples/wordcount/topology.js';

const tasks = (subs: number, parts: number) => Array.from({ length: subs * parts }, (_, i) => `${Math.floor(i / parts)}_${i % parts}`);
const members = (...prev: string[][]) => prev.map((p, i) => ({ memberId: `m${i}`, prevTasks: p }));
const sizes = (r: Map<string, string[]>) => [...r.values()].map((l) => l.length);

describe('task assignor', () => {
  it('assigns every task once, balanced to within one', () => {
    for (const [subs, parts, n] of [[2, 6, 3], [1, 5, 2], [3, 4, 5], [1, 2, 4]] as const) {
      const r = assignTasks(tasks(subs, parts), members(...Array.from({ length: n }, () => [])));
      const all = [...r.values()].flat().sort();
      expect(all).toEqual([...tasks(subs, parts)].sort());
      expect(Math.max(...sizes(r)) - Math.min(...sizes(r))).toBeLessThanOrEqual(1);
    }
  });

  it('spreads the tasks of each sub-topology over the members', () => {
    const r = assignTasks(tasks(2, 4), members([], []));
    for (const list of r.values()) {
      expect(list.filter((t) => t.startsWith('0_'))).toHaveLength(2);
      expect(list.filter((t) => t.startsWith('1_'))).toHaveLength(2);
    }
  });

  it('is sticky: a member keeps its tasks as far as balance allows', () => {
    const all = tasks(2, 6);
    const before = assignTasks(all, members([], []));
    const [a, b] = [before.get('m0') as string[], before.get('m1') as string[]];
    // a third member joins: the old ones keep 4 of their 6 each, the newcomer gets the rest
    const after = assignTasks(all, members(a, b, []));
    expect((after.get('m0') as string[]).every((t) => a.includes(t))).toBe(true);
    expect((after.get('m1') as string[]).every((t) => b.includes(t))).toBe(true);
    expect(sizes(after)).toEqual([4, 4, 4]);
    // a member leaves: the survivor keeps all of its tasks and takes the leaver's
    const back = assignTasks(all, members(after.get('m0') as string[], after.get('m2') as string[]));
    expect(after.get('m0')?.every((t) => back.get('m0')?.includes(t))).toBe(true);
    expect(sizes(back)).toEqual([6, 6]);
  });

  it('gives a task claimed by two members (a zombie) to one of them only', () => {
    const r = assignTasks(['0_0', '0_1'], members(['0_0', '0_1'], ['0_0']));
    expect([...r.values()].flat().sort()).toEqual(['0_0', '0_1']);
  });
});

describe('StreamsPartitionAssignor', () => {
  const topology = wordCountTopology('lines', 'counts');
  topology.internal.setApplicationId('wc');
  const meta = new TopologyMetadata(topology.internal);
  const repartition = [...meta.repartitionTopics][0] as string;

  it('hands out whole tasks as partitions, with host info for interactive queries', () => {
    const assignor = new StreamsPartitionAssignor(meta, () => ({ version: 1, processId: 'p', prevTasks: [] }));
    const sub = (host: string) => encodeSubscription({ version: 1, processId: host, applicationServer: `${host}:8080`, prevTasks: [] });
    const result = assignor.assign({
      members: [
        { memberId: 'a', topics: ['lines', repartition], userData: sub('a') },
        { memberId: 'b', topics: ['lines', repartition], userData: sub('b') },
      ],
      partitionsPerTopic: new Map([
        ['lines', 2],
        [repartition, 2],
      ]),
    });
    const a = result.get('a');
    const info = decodeAssignment(a?.userData ?? Buffer.alloc(0));
    expect(info?.activeTasks).toEqual(['0_0', '1_0']);
    expect(a?.partitions).toEqual([
      { topic: 'lines', partition: 0 },
      { topic: repartition, partition: 0 },
    ]);
    expect(info?.hosts['b:8080']?.tasks).toEqual(['0_1', '1_1']);
    expect(info?.hosts['a:8080']?.partitions).toEqual([
      ['lines', 0],
      [repartition, 0],
    ]);
  });

  it('reads foreign or empty subscription userData as a member without previous tasks', () => {
    expect(decodeSubscription(Buffer.from('not json')).prevTasks).toEqual([]);
    expect(decodeSubscription(Buffer.alloc(0)).processId).toBe('');
    expect(decodeAssignment(Buffer.alloc(0))).toBeNull();
  });
});
