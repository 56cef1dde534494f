export { hopfieldEnergy, lse } from './energy';
export { HopfieldError } from './errors';
export {
  type AssociationMaskOptions,
  associationMatrix,
  buildAssociationMask,
  type HopfieldCoreOptions,
  type HopfieldCoreResult,
  hopfieldCore,
  hopfieldRetrieve,
  hopfieldUpdate,
  type ResolvedUpdateRule,
  type RetrieveOptions,
  type RetrieveResult,
  resolveUpdateRule,
  type UpdateRuleOptions,
} from './retrieval';
