export type { StateDictValue } from './association';
export { canReadSync } from './device';
export { hopfieldEnergy, lse } from './energy';
export { HopfieldError } from './errors';
export {
  type BaseLayerOptions,
  Hopfield,
  type HopfieldArgs,
  type HopfieldCallKwargs,
  HopfieldLayer,
  type HopfieldLayerArgs,
  type HopfieldLoadOptions,
  HopfieldPooling,
  type HopfieldPoolingArgs,
} from './layers';
export {
  ASSOCIATION_ACTIVATIONS,
  type HopfieldDims,
  type HopfieldOptions,
  type ResolvedHopfieldOptions,
} from './options';
export {
  analyzeRegimes,
  analyzeRegimesAsync,
  type HeadRegime,
  patternsForMass,
  type Regime,
  type RegimeAnalysis,
  type RegimeOptions,
} from './regimes';
export {
  type AssociationMaskOptions,
  associationMatrix,
  buildAssociationMask,
  type HopfieldCoreOptions,
  type HopfieldCoreResult,
  hopfieldCore,
  hopfieldRetrieve,
  hopfieldRetrieveAsync,
  hopfieldUpdate,
  type ResolvedUpdateRule,
  type RetrieveOptions,
  type RetrieveResult,
  resolveUpdateRule,
  type UpdateRuleOptions,
} from './retrieval';
export {
  DEFAULT_CHUNK_SIZE,
  StreamingHopfieldPooling,
  type StreamingHopfieldPoolingArgs,
} from './streaming-pooling';
