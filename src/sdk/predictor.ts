import {
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
} from '@aws-sdk/client-sagemaker';
import {
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
} from '@aws-sdk/client-sagemaker-runtime';
import { ContentTypeDeserializer, type Deserializer } from './deserializers.js';
import { CSVSerializer, type Serializer, serializerFor } from './serializers.js';
import { Session } from './session.js';

/** Per-call settings of {@link Predictor.predict}. */
export interface PredictOptions<U> {
  /** Content-Type; picks the CSV or JSON serializer unless `serializer` is given. */
  readonly contentType?: string;
  /** Accept header (default the deserializer's). */
  readonly accept?: string;
  /** Send the request to this production variant. */
  readonly targetVariant?: string;
  readonly customAttributes?: string;
  readonly inferenceId?: string;
  /** Multi-model endpoints: the model to run (its path under the model's S3 prefix). */
  readonly targetModel?: string;
  /** Direct-mode inference pipelines: the container to run. */
  readonly targetContainerHostname?: string;
  readonly serializer?: Serializer;
  readonly deserializer?: Deserializer<U>;
}

/** What a predictor serializes and deserializes with. */
export interface PredictorOptions<T> {
  readonly serializer?: Serializer;
  readonly deserializer?: Deserializer<T>;
}

/** The answer of one invocation, before deserialization. */
export interface InvocationResult {
  readonly body: Uint8Array;
  readonly contentType?: string;
  readonly invokedProductionVariant?: string;
}

/**
 * An endpoint to send requests to, like the Python SDK's `Predictor`: CSV in by default, the
 * response decoded by its content type (JSON parsed, numeric CSV as `number[][]`).
 */
export class Predictor<T = unknown> {
  readonly session: Session;
  readonly serializer: Serializer;
  readonly deserializer: Deserializer<T>;
  /** The variant that answered the last request. */
  lastInvokedVariant?: string;

  constructor(
    readonly endpointName: string,
    session?: Session,
    options: PredictorOptions<T> = {},
  ) {
    this.session = session ?? new Session();
    this.serializer = options.serializer ?? new CSVSerializer();
    this.deserializer = options.deserializer ?? (new ContentTypeDeserializer() as Deserializer<T>);
  }

  /** Serializes `data`, calls InvokeEndpoint and deserializes the answer. */
  async predict<U = T>(data: unknown, options: PredictOptions<U> = {}): Promise<U> {
    const serializer =
      options.serializer ?? (options.contentType ? serializerFor(options.contentType) : this.serializer);
    const deserializer = (options.deserializer ?? this.deserializer) as Deserializer<U>;
    const result = await this.invoke(serializer.serialize(data), {
      contentType: options.contentType ?? serializer.contentType,
      accept: options.accept ?? deserializer.accept,
      targetVariant: options.targetVariant,
      customAttributes: options.customAttributes,
      inferenceId: options.inferenceId,
      targetModel: options.targetModel,
      targetContainerHostname: options.targetContainerHostname,
    });
    return deserializer.deserialize(result.body, result.contentType);
  }

  /** InvokeEndpoint with a body already serialized. */
  async invoke(
    body: string | Uint8Array,
    options: {
      contentType?: string;
      accept?: string;
      targetVariant?: string;
      customAttributes?: string;
      inferenceId?: string;
      targetModel?: string;
      targetContainerHostname?: string;
    } = {},
  ): Promise<InvocationResult> {
    const out = await this.session.clients.runtime.send(
      new InvokeEndpointCommand({
        EndpointName: this.endpointName,
        Body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
        ContentType: options.contentType ?? this.serializer.contentType,
        Accept: options.accept,
        TargetVariant: options.targetVariant,
        CustomAttributes: options.customAttributes,
        InferenceId: options.inferenceId,
        TargetModel: options.targetModel,
        TargetContainerHostname: options.targetContainerHostname,
      }),
    );
    this.lastInvokedVariant = out.InvokedProductionVariant;
    return {
      body: out.Body ?? new Uint8Array(),
      contentType: out.ContentType,
      invokedProductionVariant: out.InvokedProductionVariant,
    };
  }

  /**
   * InvokeEndpointWithResponseStream (the Python SDK's `predict_stream`): serializes `data` and
   * yields the answer's parts as the model produces them.
   */
  async *predictStream(
    data: unknown,
    options: {
      contentType?: string;
      accept?: string;
      targetVariant?: string;
      customAttributes?: string;
    } = {},
  ): AsyncGenerator<Uint8Array> {
    const serializer = options.contentType ? serializerFor(options.contentType) : this.serializer;
    const body = serializer.serialize(data);
    const out = await this.session.clients.runtime.send(
      new InvokeEndpointWithResponseStreamCommand({
        EndpointName: this.endpointName,
        Body: typeof body === 'string' ? new TextEncoder().encode(body) : body,
        ContentType: options.contentType ?? serializer.contentType,
        Accept: options.accept,
        TargetVariant: options.targetVariant,
        CustomAttributes: options.customAttributes,
      }),
    );
    this.lastInvokedVariant = out.InvokedProductionVariant;
    for await (const event of out.Body ?? []) {
      if (event.PayloadPart?.Bytes) yield event.PayloadPart.Bytes;
    }
  }

  /**
   * Deletes the endpoint and, unless told otherwise, its endpoint configuration and the models
   * of its variants (`delete_endpoint()` + `delete_model()`).
   */
  async delete(
    options: { deleteEndpointConfig?: boolean; deleteModel?: boolean } = {},
  ): Promise<{ endpointConfig?: string; models: string[] }> {
    const sm = this.session.clients.sagemaker;
    const endpoint = await sm.send(new DescribeEndpointCommand({ EndpointName: this.endpointName }));
    const configName = endpoint.EndpointConfigName;
    const config = configName
      ? await sm
          .send(new DescribeEndpointConfigCommand({ EndpointConfigName: configName }))
          .catch(() => undefined)
      : undefined;
    await sm.send(new DeleteEndpointCommand({ EndpointName: this.endpointName }));
    const deleted: { endpointConfig?: string; models: string[] } = { models: [] };
    if ((options.deleteEndpointConfig ?? true) && configName) {
      await sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: configName }));
      deleted.endpointConfig = configName;
    }
    if (options.deleteModel ?? true) {
      const models = new Set((config?.ProductionVariants ?? []).map((v) => v.ModelName ?? ''));
      for (const model of models) {
        if (!model) continue;
        if (await sm.send(new DeleteModelCommand({ ModelName: model })).then(() => true, ignoreNotFound))
          deleted.models.push(model);
      }
    }
    return deleted;
  }
}

/** A model already gone (another endpoint's cleanup) is not an error. */
function ignoreNotFound(e: { name?: string; message?: string }): false {
  if (!(e.name === 'ValidationException' && /could not find/i.test(e.message ?? ''))) throw e;
  return false;
}
