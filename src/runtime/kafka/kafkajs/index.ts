export { KafkajsPort, type KafkajsLogLevel, type KafkajsPortOptions } from './KafkajsPort.js';
