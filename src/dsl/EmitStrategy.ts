/**
 * When a windowed aggregation emits (Kafka's `EmitStrategy`): on every
 * update (the default), or once per window after it closes.
 */
export class EmitStrategy {
  private constructor(readonly type: 'ON_WINDOW_UPDATE' | 'ON_WINDOW_CLOSE') {}

  static onWindowUpdate(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_UPDATE');
  }

  static onWindowClose(): EmitStrategy {
    return new EmitStrategy('ON_WINDOW_CLOSE');
  }
}
