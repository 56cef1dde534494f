export { type CloobLossParts, type CloobOptions, cloobLoss, cloobLossParts } from './cloob';
export { InfoLoobArgumentError } from './errors';
export { type ContrastiveOptions, clipLoss, type InfoLoobOptions, infoLoobLoss, infoNceLoss } from './losses';
export { type CloobRetrievals, cloobRetrievals, hopfieldRetrieval } from './retrieval';
export { InverseTemperature, type InverseTemperatureOptions } from './temperature';
