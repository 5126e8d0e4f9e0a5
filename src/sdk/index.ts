/**
 * Lathe's TypeScript SDK: the SageMaker Python SDK's idioms (`Session`, `Estimator`, `Model`,
 * `Predictor`, serializers) over the official AWS SDK for JavaScript clients.
 *
 * ```ts
 * const session = new Session({ endpoint: 'http://127.0.0.1:7070' });
 * const xgb = new XGBoost({ role, hyperParameters: { num_round: 50, objective: 'binary:logistic' }, session });
 * await xgb.fit({ train: 'train.csv', validation: 'validation.csv' });
 * const predictor = await xgb.deploy({ initialInstanceCount: 1, instanceType: 'ml.m5.large' });
 * console.log(await predictor.predict([[17.99, 10.38, 122.8]]));
 * await predictor.delete();
 * ```
 */
export { type ConnectOptions, connect, type LatheClients } from './clients.js';
export * from './deserializers.js';
export { UnexpectedStatusError } from './errors.js';
export * from './estimator.js';
export * from './framework.js';
export { servingImageFor, sklearnImageUri, xgboostImageUri } from './image-uris.js';
export * from './model.js';
export { nameFromBase } from './names.js';
export * from './predictor.js';
export * from './serializers.js';
export * from './session.js';
export * from './training-input.js';
export * from './training-job.js';
export * from './xgboost.js';
