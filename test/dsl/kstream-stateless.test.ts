/**
 * Stateless KStream operators, checked against Kafka Streams' semantics:
 * each input record is processed depth-first, keys/values/timestamps/headers
 * carry through unless the operator changes them, and null keys and values
 * are ordinary data for stateless operators.
 */
import { describe, expect, it } from 'vitest';
import {
  Branched,
  Consumed,
  Headers,
  KeyValues,
  Named,
  Produced,
  Serdes,
  StreamsBuilder,
  TestRecord,
  TopologyTestDriver,
  type KStream,
} from '../../src/index.js';
import { drain, drainKV } from './helpers.js';

const S = Serdes.String();

function withDriver(build: (b: StreamsBuilder) => void, run: (d: TopologyTestDriver) => void): void {
  const b = new StreamsBuilder();
  build(b);
  const d = new TopologyTestDriver(b.build());
  try {
    run(d);
  } finally {
    d.close();
  }
}

describe('filter / filterNot', () => {
  it('keeps matching records, with their timestamps, and sees null keys and values', () => {
    const seen: [string | null, string | null][] = [];
    withDriver(
      (b) => {
        const s = b.stream<string, string>('animals', Consumed.with(S, S));
        s.filter((k, v) => {
          seen.push([k, v]);
          return v?.startsWith('c') === true;
        }).to('c-words', Produced.with(S, S));
        s.filterNot((_k, v) => v?.startsWith('c') === true).to('other', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('animals', S, S);
        input.pipeInput('1', 'cat', 10);
        input.pipeInput('2', 'dog', 11);
        input.pipeInput(null, 'cow', 12);
        input.pipeInput('4', null, 13);
        expect(seen).toEqual([['1', 'cat'], ['2', 'dog'], [null, 'cow'], ['4', null]]);
        expect(drain(d.createOutputTopic('c-words', S, S))).toEqual([['1', 'cat', 10], [null, 'cow', 12]]);
        // filterNot passes exactly the complement, the tombstone included
        expect(drain(d.createOutputTopic('other', S, S))).toEqual([['2', 'dog', 11], ['4', null, 13]]);
      },
    );
  });
});

describe('map / mapValues / selectKey', () => {
  it('map replaces key and value and keeps timestamp and headers', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S))
          .map((k, v) => KeyValues.pair(v, `${k}:${v.length}`))
          .to('out', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput(new TestRecord('a', 'xyz', 42, Headers.of({ trace: 't-1' })));
        const out = d.createOutputTopic('out', S, S).readRecordsToList();
        expect(out).toHaveLength(1);
        expect(out[0]?.key).toBe('xyz');
        expect(out[0]?.value).toBe('a:3');
        expect(out[0]?.timestamp).toBe(42);
        expect(out[0]?.headers.lastHeader('trace')?.value?.toString()).toBe('t-1');
      },
    );
  });

  it('mapValues gets (value, key) and keeps the key, also for null values', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S))
          .mapValues((v, k) => `${k}=${v === null ? 'NULL' : v.toUpperCase()}`)
          .to('out', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('k1', 'abc', 1);
        input.pipeInput('k2', null, 2);
        input.pipeInput(null, 'q', 3);
        expect(drain(d.createOutputTopic('out', S, S))).toEqual([
          ['k1', 'k1=ABC', 1],
          ['k2', 'k2=NULL', 2],
          [null, 'null=Q', 3],
        ]);
      },
    );
  });

  it('selectKey sets the key from (key, value) and keeps the value', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S))
          .selectKey((k, v) => `${v}/${k}`)
          .to('out', Produced.with(S, S));
      },
      (d) => {
        d.createInputTopic('in', S, S).pipeKeyValueList([KeyValues.pair('a', '1'), KeyValues.pair('b', '2')], 100, 5);
        expect(drain(d.createOutputTopic('out', S, S))).toEqual([
          ['1/a', '1', 100],
          ['2/b', '2', 105],
        ]);
      },
    );
  });
});

describe('flatMap / flatMapValues', () => {
  it('flatMap emits every pair in order with the input timestamp; an empty result emits nothing', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S))
          .flatMap((k, v) => v.split(',').filter((p) => p !== '').map((p, i) => KeyValues.pair(`${k}${i}`, p)))
          .to('out', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('r', 'x,y,z', 7);
        input.pipeInput('e', '', 8);
        input.pipeInput('s', 'w', 9);
        expect(drain(d.createOutputTopic('out', S, S))).toEqual([
          ['r0', 'x', 7],
          ['r1', 'y', 7],
          ['r2', 'z', 7],
          ['s0', 'w', 9],
        ]);
      },
    );
  });

  it('flatMapValues keeps the key and gets (value, key)', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S))
          .flatMapValues((v, k) => [...v].map((ch) => `${k}-${ch}`))
          .to('out', Produced.with(S, S));
      },
      (d) => {
        d.createInputTopic('in', S, S).pipeInput('n', 'ab', 3);
        expect(drain(d.createOutputTopic('out', S, S))).toEqual([
          ['n', 'n-a', 3],
          ['n', 'n-b', 3],
        ]);
      },
    );
  });
});

describe('peek / foreach', () => {
  it('peek sees each record before it moves on; foreach is terminal', () => {
    const log: string[] = [];
    withDriver(
      (b) => {
        const s = b.stream<string, string>('in', Consumed.with(S, S));
        s.peek((k, v) => log.push(`peek ${k}=${v}`))
          .mapValues((v) => {
            log.push(`map ${v}`);
            return v;
          })
          .to('out', Produced.with(S, S));
        s.foreach((k, v) => log.push(`each ${k}=${v}`));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('a', '1', 1);
        input.pipeInput('b', null, 2);
        // depth-first: the whole peek branch runs before the foreach sibling
        expect(log).toEqual(['peek a=1', 'map 1', 'each a=1', 'peek b=null', 'map null', 'each b=null']);
        expect(drainKV(d.createOutputTopic('out', S, S))).toEqual([
          ['a', '1'],
          ['b', null],
        ]);
      },
    );
  });
});

describe('split', () => {
  function routeBySize(b: StreamsBuilder): Map<string, KStream<string, string>> {
    return b
      .stream<string, string>('in', Consumed.with(S, S))
      .split(Named.as('size-'))
      .branch((_k, v) => v.length < 3, Branched.as('small'))
      .branch((_k, v) => v.length < 6, Branched.as('medium'))
      .defaultBranch(Branched.as('large'));
  }

  it('names branches split name + branch name, and routes each record to the first match only', () => {
    withDriver(
      (b) => {
        const branches = routeBySize(b);
        expect([...branches.keys()].sort()).toEqual(['size-large', 'size-medium', 'size-small']);
        branches.get('size-small')?.to('small', Produced.with(S, S));
        branches.get('size-medium')?.to('medium', Produced.with(S, S));
        branches.get('size-large')?.to('large', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('1', 'ab', 1);
        input.pipeInput('2', 'abcd', 2);
        input.pipeInput('3', 'abcdefgh', 3);
        input.pipeInput('4', 'a', 4);
        expect(drainKV(d.createOutputTopic('small', S, S))).toEqual([['1', 'ab'], ['4', 'a']]);
        expect(drainKV(d.createOutputTopic('medium', S, S))).toEqual([['2', 'abcd']]);
        expect(drainKV(d.createOutputTopic('large', S, S))).toEqual([['3', 'abcdefgh']]);
      },
    );
  });

  it('unnamed branches are keyed by index: 1.. for branches, 0 for the default', () => {
    const b = new StreamsBuilder();
    const s = b.stream<string, string>('in', Consumed.with(S, S));
    const map = s
      .split()
      .branch((k) => k === 'x')
      .branch((k) => k === 'y')
      .defaultBranch();
    // the splitter is KSTREAM-BRANCH-0000000001; Kafka appends the index to its name
    expect([...map.keys()].sort()).toEqual([
      'KSTREAM-BRANCH-00000000010',
      'KSTREAM-BRANCH-00000000011',
      'KSTREAM-BRANCH-00000000012',
    ]);
  });

  it('withFunction puts the transformed stream in the map; withConsumer leaves the branch out', () => {
    const consumed: string[] = [];
    withDriver(
      (b) => {
        const map = b
          .stream<string, string>('in', Consumed.with(S, S))
          .split(Named.as('s-'))
          .branch((k) => k.startsWith('f'), Branched.withFunction((st) => st.mapValues((v) => v.toUpperCase()), 'fn'))
          .branch(
            (k) => k.startsWith('c'),
            Branched.withConsumer((st) => st.foreach((k, v) => consumed.push(`${k}:${v}`)), 'cons'),
          )
          .noDefaultBranch();
        expect([...map.keys()]).toEqual(['s-fn']);
        map.get('s-fn')?.to('fn-out', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('f1', 'hello', 1);
        input.pipeInput('c1', 'there', 2);
        input.pipeInput('z1', 'dropped', 3);
        expect(drainKV(d.createOutputTopic('fn-out', S, S))).toEqual([['f1', 'HELLO']]);
        expect(consumed).toEqual(['c1:there']);
      },
    );
  });

  it('a function returning null leaves the branch out of the map', () => {
    const b = new StreamsBuilder();
    const map = b
      .stream<string, string>('in', Consumed.with(S, S))
      .split(Named.as('n-'))
      .branch(() => true, Branched.withFunction(() => null, 'gone'))
      .defaultBranch(Branched.as('rest'));
    expect([...map.keys()]).toEqual(['n-rest']);
  });

  it('noDefaultBranch drops records no predicate matches', () => {
    withDriver(
      (b) => {
        const map = b
          .stream<string, string>('in', Consumed.with(S, S))
          .split(Named.as('only-'))
          .branch((_k, v) => v === 'keep', Branched.as('keep'))
          .noDefaultBranch();
        map.get('only-keep')?.to('out', Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('a', 'drop', 1);
        input.pipeInput('b', 'keep', 2);
        expect(drainKV(d.createOutputTopic('out', S, S))).toEqual([['b', 'keep']]);
      },
    );
  });
});

describe('merge', () => {
  it('interleaves both inputs in processing order', () => {
    withDriver(
      (b) => {
        const left = b.stream<string, string>('left', Consumed.with(S, S));
        const right = b.stream<string, string>('right', Consumed.with(S, S)).mapValues((v) => `R${v}`);
        left.merge(right).to('out', Produced.with(S, S));
      },
      (d) => {
        const l = d.createInputTopic('left', S, S);
        const r = d.createInputTopic('right', S, S);
        l.pipeInput('a', '1', 5);
        r.pipeInput('b', '2', 3);
        l.pipeInput('c', '3', 4);
        expect(drain(d.createOutputTopic('out', S, S))).toEqual([
          ['a', '1', 5],
          ['b', 'R2', 3],
          ['c', '3', 4],
        ]);
      },
    );
  });
});

describe('to', () => {
  it('a TopicNameExtractor picks the topic per record', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S)).to((key) => `topic-${key}`, Produced.with(S, S));
      },
      (d) => {
        const input = d.createInputTopic('in', S, S);
        input.pipeInput('x', '1', 1);
        input.pipeInput('y', '2', 2);
        input.pipeInput('x', '3', 3);
        expect(d.producedTopicNames()).toEqual(new Set(['topic-x', 'topic-y']));
        expect(drainKV(d.createOutputTopic('topic-x', S, S))).toEqual([['x', '1'], ['x', '3']]);
        expect(drainKV(d.createOutputTopic('topic-y', S, S))).toEqual([['y', '2']]);
      },
    );
  });

  it('Produced serdes decide the bytes written', () => {
    withDriver(
      (b) => {
        b.stream<string, string>('in', Consumed.with(S, S))
          .mapValues((v) => Number(v))
          .to('nums', Produced.with(S, Serdes.Integer()));
      },
      (d) => {
        d.createInputTopic('in', S, S).pipeInput('k', '258', 1);
        const raw = d.createOutputTopic('nums', S, Serdes.Bytes()).readValue();
        expect(raw).toEqual(Buffer.from([0, 0, 1, 2]));
      },
    );
  });

  it('the same record can go to several sinks, in the order they were added', () => {
    withDriver(
      (b) => {
        const s = b.stream<string, string>('in', Consumed.with(S, S));
        s.to('first', Produced.with(S, S));
        s.to('second', Produced.with(S, S));
      },
      (d) => {
        d.createInputTopic('in', S, S).pipeInput('k', 'v', 9);
        expect(drain(d.createOutputTopic('first', S, S))).toEqual([['k', 'v', 9]]);
        expect(drain(d.createOutputTopic('second', S, S))).toEqual([['k', 'v', 9]]);
      },
    );
  });
});

describe('input topic timestamps', () => {
  it('records without a timestamp take the input topic time, advancing by autoAdvance', () => {
    withDriver(
      (b) => b.stream<string, string>('in', Consumed.with(S, S)).to('out', Produced.with(S, S)),
      (d) => {
        const input = d.createInputTopic('in', S, S, 1000, 10);
        input.pipeInput('a', '1');
        input.pipeInput('b', '2');
        input.pipeInput('c', '3', 5);
        input.pipeInput('d', '4');
        expect(drain(d.createOutputTopic('out', S, S)).map((r) => r[2])).toEqual([1000, 1010, 5, 1020]);
      },
    );
  });
});
