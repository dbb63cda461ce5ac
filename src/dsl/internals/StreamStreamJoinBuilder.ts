import type { Processor } from '../../processor/Processor.js';
import type { Serde } from '../../serdes/Serde.js';
import type { StateStore } from '../../state/StateStore.js';
import type { StoreBuilder } from '../../state/StoreBuilder.js';
import { Stores } from '../../state/Stores.js';
import { DslStoreSuppliers } from './DslStoreSuppliers.js';
import type { JoinWindows } from '../../windowing/JoinWindows.js';
import type { ValueJoiner } from '../functions.js';
import type { StreamState } from '../KStreamImpl.js';
import { kstreamJoinWindow } from '../processors/KStreamJoinWindow.js';
import { JoinTimeTracker, kstreamKStreamJoin } from '../processors/KStreamKStreamJoin.js';
import { passThrough } from '../processors/PassThrough.js';
import type { StreamJoined } from '../StreamJoined.js';
import { OuterJoinStoreBuilder } from './OuterJoinStore.js';

/**
 * Adds a stream-stream join to the graph, named as Kafka names it: each side
 * is windowed into its store (KSTREAM-WINDOWED), each side's join processor
 * reads the other side's store (KSTREAM-JOINTHIS/OUTERTHIS,
 * KSTREAM-JOINOTHER/OUTEROTHER), and a merge node joins their outputs.
 * Left and outer joins share a store of unmatched records (KSTREAM-OUTERSHARED).
 * Returns the merge node's name.
 */
export function addStreamStreamJoin<K, V1, V2, VR>(
  left: StreamState<K, V1>,
  right: StreamState<K, V2>,
  joiner: ValueJoiner<V1 | null, V2 | null, VR, K>,
  windows: JoinWindows,
  joined: StreamJoined<K, V1, V2>,
  leftOuter: boolean,
  rightOuter: boolean,
): string {
  const names = left.builder.names;
  const base = joined.name;
  const thisSuffix = rightOuter ? '-outer-this-join' : '-this-join';
  const otherSuffix = leftOuter ? '-outer-other-join' : '-other-join';
  const thisWindowName = names.suffixedOrElseGenerate(base, '-this-windowed', 'KSTREAM-WINDOWED-');
  const otherWindowName = names.suffixedOrElseGenerate(base, '-other-windowed', 'KSTREAM-WINDOWED-');
  const thisGenerated = names.newProcessorName(rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-');
  const otherGenerated = names.newProcessorName(leftOuter ? 'KSTREAM-OUTEROTHER-' : 'KSTREAM-JOINOTHER-');
  const thisJoinName = base === null ? thisGenerated : base + thisSuffix;
  const otherJoinName = base === null ? otherGenerated : base + otherSuffix;
  const mergeName = names.suffixedOrElseGenerate(base, '-merge', 'KSTREAM-MERGE-');

  const storeBase = joined.storeName;
  const thisStoreName = `${storeBase === null ? thisGenerated : storeBase + thisSuffix}-store`;
  const otherStoreName = `${storeBase === null ? otherGenerated : storeBase + otherSuffix}-store`;
  const retention = windows.size() + windows.gracePeriodMs();
  const windowStore = (name: string, valueSerde: Serde<unknown> | null): StoreBuilder<StateStore> => {
    const b = Stores.windowStoreBuilder(DslStoreSuppliers.window(name, null, retention, windows.size(), true), joined.keySerde, valueSerde);
    if (!joined.loggingEnabled) b.withLoggingDisabled();
    return b as unknown as StoreBuilder<StateStore>;
  };

  let outerStoreName: string | null = null;
  if (leftOuter) {
    const suffix = rightOuter ? '-outer-shared-join' : '-left-shared-join';
    const index = thisGenerated.slice((rightOuter ? 'KSTREAM-OUTERTHIS-' : 'KSTREAM-JOINTHIS-').length);
    outerStoreName = `${storeBase === null ? `KSTREAM-OUTERSHARED-${index}` : storeBase + suffix}-store`;
  }

  // both sides of one join in one task share stream time and the oldest waiting record
  const trackers = new Map<string, JoinTimeTracker>();
  const tracker = (taskId: string) => {
    let t = trackers.get(taskId);
    if (t === undefined) {
      t = new JoinTimeTracker();
      trackers.set(taskId, t);
    }
    return t;
  };
  const common = { windowsBeforeMs: windows.beforeMs, windowsAfterMs: windows.afterMs, graceMs: windows.gracePeriodMs(), outerStoreName, tracker };
  const joinThis = kstreamKStreamJoin<K, V1, V2, VR>({
    ...common,
    leftSide: true,
    otherStoreName,
    outer: leftOuter,
    joinBeforeMs: windows.beforeMs,
    joinAfterMs: windows.afterMs,
    joiner: (key, v1, v2) => joiner(v1, v2, key),
  });
  const joinOther = kstreamKStreamJoin<K, V2, V1, VR>({
    ...common,
    leftSide: false,
    otherStoreName: thisStoreName,
    outer: rightOuter,
    joinBeforeMs: windows.afterMs,
    joinAfterMs: windows.beforeMs,
    joiner: (key, v2, v1) => joiner(v1, v2, key),
  });
  const asNode = (p: () => Processor<any, any, any, any>) => p as () => Processor<unknown, unknown, unknown, unknown>;
  const outerStore = outerStoreName
    ? new OuterJoinStoreBuilder<K, V1, V2>(outerStoreName, joined.keySerde, joined.valueSerde, joined.otherValueSerde)
    : null;
  if (outerStore && !joined.loggingEnabled) outerStore.withLoggingDisabled();

  const builder = left.builder;
  builder.addGraphNode({
    name: thisWindowName,
    parents: [left.name],
    write: (b) => b.addProcessor(thisWindowName, asNode(kstreamJoinWindow<K, V1>(thisStoreName)), [left.name]),
  });
  builder.addGraphNode({
    name: otherWindowName,
    parents: [right.name],
    write: (b) => b.addProcessor(otherWindowName, asNode(kstreamJoinWindow<K, V2>(otherStoreName)), [right.name]),
  });
  builder.addGraphNode({
    name: mergeName,
    parents: [left.name, right.name],
    nullKeyRelaxedJoin: leftOuter || rightOuter,
    write: (b) => {
      b.addProcessor(thisJoinName, asNode(joinThis), [thisWindowName]);
      b.addProcessor(otherJoinName, asNode(joinOther), [otherWindowName]);
      b.addProcessor(mergeName, asNode(passThrough()), [thisJoinName, otherJoinName]);
      b.addStateStore(windowStore(thisStoreName, joined.valueSerde as Serde<unknown> | null), [thisWindowName, otherJoinName]);
      b.addStateStore(windowStore(otherStoreName, joined.otherValueSerde as Serde<unknown> | null), [otherWindowName, thisJoinName]);
      if (outerStore) b.addStateStore(outerStore as unknown as StoreBuilder<StateStore>, [thisJoinName, otherJoinName]);
    },
  });
  return mergeName;
}
