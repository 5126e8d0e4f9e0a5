import { AwsError } from '../errors/aws-error.js';

/** The code and message of the AwsError `p` rejects with; throws when it resolves or rejects otherwise. */
export async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AwsError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a rejection');
}
