/**
 * Image URI → how Lathe runs it, decided by the ECR repository name so that unmodified
 * SageMaker code works whatever the registry host, region or tag. Pure.
 */
export type TrainingRuntime =
  | { readonly kind: 'xgboost-builtin'; readonly repository: string; readonly tag: string }
  | { readonly kind: 'python-script'; readonly repository: string; readonly tag: string }
  | { readonly kind: 'node-script'; readonly repository: string; readonly tag: string };

export type ResolveResult = { ok: true; runtime: TrainingRuntime } | { ok: false; reason: string };

/** Python framework images that run the user's script through the training-toolkit contract. */
const pythonScriptRepositories = [
  /^sagemaker-scikit-learn$/,
  /^pytorch-training$/,
  /^tensorflow-training$/,
  /^mxnet-training$/,
  /^huggingface-[a-z0-9-]*training$/,
  /^sagemaker-python$/,
];

export const nodeScriptRepository = 'lathe-node-training';

export const supportedTrainingImages =
  'sagemaker-xgboost (built-in XGBoost, or script mode with sagemaker_program), sagemaker-scikit-learn, ' +
  `pytorch-training, tensorflow-training, mxnet-training, huggingface-*-training (Python script mode), ${nodeScriptRepository} (TypeScript/JavaScript script mode)`;

/** Splits `<registry>/<repo…>:<tag>` or `<repo>@sha256:…` into the last repository segment and tag. */
export function parseImageUri(image: string): { repository: string; tag: string } | undefined {
  const trimmed = image.trim();
  if (!trimmed || /\s/.test(trimmed)) return undefined;
  const [withoutDigest = ''] = trimmed.split('@');
  const slash = withoutDigest.lastIndexOf('/');
  const last = withoutDigest.slice(slash + 1);
  const colon = last.indexOf(':');
  const repository = colon < 0 ? last : last.slice(0, colon);
  const tag = colon < 0 ? 'latest' : last.slice(colon + 1);
  if (!/^[a-z0-9]+([._-][a-z0-9]+)*$/.test(repository)) return undefined;
  return { repository, tag };
}

export function resolveTrainingImage(
  image: string,
  hyperParameters: Readonly<Record<string, string>>,
): ResolveResult {
  const parsed = parseImageUri(image);
  if (!parsed) return { ok: false, reason: `TrainingImage '${image}' is not a valid image URI.` };
  const { repository, tag } = parsed;
  const hasProgram = hyperParameters.sagemaker_program !== undefined;
  if (repository === 'sagemaker-xgboost') {
    return { ok: true, runtime: { kind: hasProgram ? 'python-script' : 'xgboost-builtin', repository, tag } };
  }
  if (repository === nodeScriptRepository || pythonScriptRepositories.some((r) => r.test(repository))) {
    if (!hasProgram) {
      return {
        ok: false,
        reason: `TrainingImage '${image}' runs a training script in script mode: set the hyperparameter 'sagemaker_program' (and 'sagemaker_submit_directory').`,
      };
    }
    const kind = repository === nodeScriptRepository ? 'node-script' : 'python-script';
    return { ok: true, runtime: { kind, repository, tag } };
  }
  return {
    ok: false,
    reason: `TrainingImage '${image}' cannot run here: Lathe runs training images without a container engine, by their repository name ('${repository}' is not one it knows). Supported: ${supportedTrainingImages}.`,
  };
}
