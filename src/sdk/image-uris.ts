/**
 * Image URIs for a region, like the SageMaker Python SDK's `image_uris.retrieve`. Lathe runs an
 * image by its repository name, so the registry account only matters for looking like AWS's.
 */

/** The ECR account of the built-in XGBoost and scikit-learn images, per region. */
const registryAccounts: Readonly<Record<string, string>> = {
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
  'ca-central-1': '341280168497',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-west-3': '659782779980',
  'eu-central-1': '492215442770',
  'eu-north-1': '662702820516',
  'ap-northeast-1': '354813040037',
  'ap-northeast-2': '366743142698',
  'ap-southeast-1': '121021644041',
  'ap-southeast-2': '783357654285',
  'ap-south-1': '720646828776',
  'sa-east-1': '737474898029',
};

function registry(region: string): string {
  const account = registryAccounts[region] ?? registryAccounts['us-east-1']!;
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${account}.dkr.ecr.${region}.${domain}`;
}

/** The built-in XGBoost image (`sagemaker-xgboost:<version>`), default version `1.7-1`. */
export function xgboostImageUri(region: string, version = '1.7-1'): string {
  return `${registry(region)}/sagemaker-xgboost:${version}`;
}

/** The scikit-learn framework image, used for training and for serving. */
export function sklearnImageUri(region: string, version = '1.2-1', pyVersion = 'py3'): string {
  return `${registry(region)}/sagemaker-scikit-learn:${version}-cpu-${pyVersion}`;
}

/**
 * The image that serves what a training image produced: framework training images have an
 * `-inference` twin (`pytorch-training` → `pytorch-inference`); XGBoost and scikit-learn serve
 * from the same image.
 */
export function servingImageFor(trainingImage: string): string {
  return trainingImage.replace(
    /\/(pytorch|tensorflow|mxnet|lathe-node|huggingface-[a-z0-9-]*?)-training(?=[:@]|$)/,
    '/$1-inference',
  );
}
