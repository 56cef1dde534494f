export {
  type KHistogramRow,
  type Progress,
  REGIME_PRESETS,
  type RegimeConfig,
  type RegimeResult,
  type RegimeRow,
  type RegimeTask,
  runRegimeExperiment,
} from './regime-experiment';
export {
  AMINO_ACIDS,
  COUNT_COLUMNS,
  encodeKmers,
  formatRepertoireTsv,
  type ParseOptions,
  parseRepertoireTsv,
  type Repertoire,
  RepertoireFormatError,
  SEQUENCE_COLUMNS,
  type SimulationOptions,
  simulateRepertoire,
  toLetters,
  toSequences,
} from './repertoire';
export {
  type Pooling,
  REPERTOIRE_PRESETS,
  type RepertoireConfig,
  type RepertoireResult,
  type RepertoireRow,
  runRepertoireExperiment,
} from './repertoire-experiment';
