// The images a submission carries, decoded once per job: the `files` map holds them as `base64:<bytes>`.
// Node's crypto is the only import beyond the spec; it hashes each image once for the call cache's key.
import { createHash } from 'node:crypto';
import { BASE64_FILE_PREFIX, imagePaths, MAX_IMAGE_BYTES, mediaTypeOf, type PromptImage } from './images';
import { megabytes } from './limits';
import type { Scenario } from './schema';

export type ImageFilesResult = { ok: true; images: Map<string, PromptImage> } | { ok: false; message: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Every image the scenarios name, from the submission's files; the first problem, said plainly, when one is wrong. */
export function imageFiles(scenarios: readonly Scenario[], files: Readonly<Record<string, string>>): ImageFilesResult {
  const images = new Map<string, PromptImage>();
  for (const path of imagePaths(scenarios)) {
    const sent = Object.hasOwn(files, path) ? files[path] : undefined;
    if (sent === undefined)
      return { ok: false, message: `image file "${path}" was not sent with the survey; send it in "files" as "${BASE64_FILE_PREFIX}<bytes>"` };
    if (!sent.startsWith(BASE64_FILE_PREFIX))
      return { ok: false, message: `image file "${path}" must be sent base64-encoded, as "${BASE64_FILE_PREFIX}<bytes>"` };
    const data = sent.slice(BASE64_FILE_PREFIX.length);
    if (!BASE64.test(data)) return { ok: false, message: `image file "${path}" is not valid base64` };
    const bytes = Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);
    if (bytes > MAX_IMAGE_BYTES)
      return { ok: false, message: `image file "${path}" is ${megabytes(bytes)}; images are limited to ${megabytes(MAX_IMAGE_BYTES)}` };
    const mediaType = mediaTypeOf(path);
    if (!mediaType) return { ok: false, message: `image file "${path}" is not a PNG, JPEG, WebP or GIF` };
    images.set(path, { path, media_type: mediaType, data, sha256: createHash('sha256').update(data).digest('base64url') });
  }
  return { ok: true, images };
}
