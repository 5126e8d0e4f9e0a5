import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteModelCommand,
  type ProductionVariant,
  type ProductionVariantInstanceType,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import type { Deserializer } from './deserializers.js';
import { baseNameFromImage, nameFromBase } from './names.js';
import { Predictor } from './predictor.js';
import type { Serializer } from './serializers.js';
import { Session } from './session.js';

/** Serverless inference settings (`ServerlessInferenceConfig`). */
export interface ServerlessOptions {
  /** 1024 to 6144, in steps of 1024 (default 2048). */
  readonly memorySizeInMB?: number;
  /** Concurrent invocations, 1 to 200 (default 5). */
  readonly maxConcurrency?: number;
}

/** Options of {@link Model.deploy}. */
export interface DeployOptions<T = unknown> {
  /** Instances of the variant (default 1); ignored with `serverless`. */
  readonly initialInstanceCount?: number;
  /** Default `ml.m5.large`; ignored with `serverless`. */
  readonly instanceType?: string;
  /** Default: the model's name. The endpoint configuration gets the same name. */
  readonly endpointName?: string;
  /** Deploy a serverless variant instead of instances. */
  readonly serverless?: ServerlessOptions;
  /** Wait for `InService` (default true). */
  readonly wait?: boolean;
  /** Default `AllTraffic`. */
  readonly variantName?: string;
  readonly tags?: readonly Tag[];
  /** The returned predictor's serializer (default CSV) and deserializer (by content type). */
  readonly serializer?: Serializer;
  readonly deserializer?: Deserializer<T>;
}

/** What a {@link Model} is made of. */
export interface ModelOptions {
  /** The serving image. */
  readonly imageUri: string;
  /** `s3://…/model.tar.gz` (optional for images that need no artifact). */
  readonly modelData?: string;
  /** Execution role ARN. */
  readonly role: string;
  /** The container's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default: `<image repository>-<timestamp>`. */
  readonly name?: string;
  readonly session?: Session;
}

/**
 * A deployable model, like the Python SDK's `sagemaker.model.Model`: `deploy` creates the model,
 * an endpoint configuration and an endpoint, and returns a {@link Predictor}.
 */
export class Model {
  readonly imageUri: string;
  readonly modelData?: string;
  readonly role: string;
  readonly env: Readonly<Record<string, string>>;
  readonly session: Session;
  /** Set once the model exists in SageMaker. */
  name?: string;
  /** The endpoint of the last `deploy`. */
  endpointName?: string;
  private created = false;

  constructor(options: ModelOptions) {
    this.imageUri = options.imageUri;
    this.modelData = options.modelData;
    this.role = options.role;
    this.env = { ...options.env };
    this.name = options.name;
    this.session = options.session ?? new Session();
  }

  /** CreateModel, once; returns the model name. */
  async create(tags?: readonly Tag[]): Promise<string> {
    this.name ??= nameFromBase(baseNameFromImage(this.imageUri));
    const name = this.name;
    if (this.created) return name;
    await this.session.clients.sagemaker.send(
      new CreateModelCommand({
        ModelName: name,
        ExecutionRoleArn: this.role,
        PrimaryContainer: {
          Image: this.imageUri,
          ...(this.modelData ? { ModelDataUrl: this.modelData } : {}),
          ...(Object.keys(this.env).length ? { Environment: { ...this.env } } : {}),
        },
        ...(tags?.length ? { Tags: [...tags] } : {}),
      }),
    );
    this.created = true;
    return name;
  }

  /** Creates the model (if needed), an endpoint configuration and an endpoint. */
  async deploy<T = unknown>(options: DeployOptions<T> = {}): Promise<Predictor<T>> {
    const modelName = await this.create(options.tags);
    const endpointName = options.endpointName ?? modelName;
    const variant: ProductionVariant = {
      VariantName: options.variantName ?? 'AllTraffic',
      ModelName: modelName,
      InitialVariantWeight: 1,
      ...(options.serverless
        ? {
            ServerlessConfig: {
              MemorySizeInMB: options.serverless.memorySizeInMB ?? 2048,
              MaxConcurrency: options.serverless.maxConcurrency ?? 5,
            },
          }
        : {
            InitialInstanceCount: options.initialInstanceCount ?? 1,
            InstanceType: (options.instanceType ?? 'ml.m5.large') as ProductionVariantInstanceType,
          }),
    };
    const sm = this.session.clients.sagemaker;
    const tags = options.tags?.length ? { Tags: [...options.tags] } : {};
    await sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: endpointName,
        ProductionVariants: [variant],
        ...tags,
      }),
    );
    await sm.send(
      new CreateEndpointCommand({ EndpointName: endpointName, EndpointConfigName: endpointName, ...tags }),
    );
    this.endpointName = endpointName;
    if (options.wait ?? true) await this.session.waitForEndpoint(endpointName);
    return new Predictor<T>(endpointName, this.session, {
      serializer: options.serializer,
      deserializer: options.deserializer,
    });
  }

  /** DeleteModel. */
  async delete(): Promise<void> {
    if (!this.name) return;
    await this.session.clients.sagemaker.send(new DeleteModelCommand({ ModelName: this.name }));
    this.created = false;
  }
}
