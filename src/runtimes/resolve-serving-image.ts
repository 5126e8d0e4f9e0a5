import { parseImageUri } from './resolve-image.js';

/**
 * Inference image URI → how Lathe serves it, decided by the ECR repository name (as for training,
 * see `resolve-image.ts`) so that unmodified SageMaker code works whatever the registry host,
 * region or tag. Pure.
 */
export type ServingRuntime =
  | { readonly kind: 'xgboost-builtin'; readonly repository: string; readonly tag: string }
  | { readonly kind: 'python-script'; readonly repository: string; readonly tag: string }
  | { readonly kind: 'node-script'; readonly repository: string; readonly tag: string }
  | { readonly kind: 'echo'; readonly repository: string; readonly tag: string };

export type ServingResolveResult = { ok: true; runtime: ServingRuntime } | { ok: false; reason: string };

/** Python framework images that serve the user's inference script (sagemaker-inference-toolkit contract). */
const pythonScriptRepositories = [
  /^sagemaker-scikit-learn$/,
  /^pytorch-inference$/,
  /^tensorflow-inference$/,
  /^mxnet-inference$/,
  /^huggingface-[a-z0-9-]*inference$/,
];

export const nodeInferenceRepository = 'lathe-node-inference';

/** A model that answers each request with its own body: smoke tests and invocation-path benchmarks. */
export const echoInferenceRepository = 'lathe-echo-inference';

/** The environment variable naming the inference script, as the SageMaker Python SDK sets it. */
export const programVariable = 'SAGEMAKER_PROGRAM';

export const supportedServingImages =
  `sagemaker-xgboost (built-in XGBoost, or script mode with ${programVariable}), sagemaker-scikit-learn, ` +
  'pytorch-inference, tensorflow-inference, mxnet-inference, huggingface-*-inference (Python script mode), ' +
  `${nodeInferenceRepository} (TypeScript/JavaScript script mode), ${echoInferenceRepository} (answers with the request body)`;

/**
 * Resolves a model container's image. `field` names the member in messages
 * (e.g. `PrimaryContainer.Image`).
 */
export function resolveServingImage(
  image: string,
  environment: Readonly<Record<string, string>>,
  field = 'Image',
): ServingResolveResult {
  const parsed = parseImageUri(image);
  if (!parsed) return { ok: false, reason: `${field} '${image}' is not a valid image URI.` };
  const { repository, tag } = parsed;
  const hasProgram = (environment[programVariable] ?? '') !== '';
  if (repository === 'sagemaker-xgboost') {
    return { ok: true, runtime: { kind: hasProgram ? 'python-script' : 'xgboost-builtin', repository, tag } };
  }
  if (repository === echoInferenceRepository) return { ok: true, runtime: { kind: 'echo', repository, tag } };
  const node = repository === nodeInferenceRepository;
  if (node || pythonScriptRepositories.some((r) => r.test(repository))) {
    if (!hasProgram) {
      return {
        ok: false,
        reason: `${field} '${image}' serves an inference script in script mode: set the environment variable ${programVariable} (and SAGEMAKER_SUBMIT_DIRECTORY, unless the script is in the model archive's code/ directory).`,
      };
    }
    return { ok: true, runtime: { kind: node ? 'node-script' : 'python-script', repository, tag } };
  }
  return {
    ok: false,
    reason: `${field} '${image}' cannot run here: Lathe serves inference images without a container engine, by their repository name ('${repository}' is not one it knows). Supported: ${supportedServingImages}.`,
  };
}
