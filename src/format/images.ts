// Images in surveys, EDSL-style: a scenario value `{ image: "photos/cat.png" }` names an image file next to the
// survey; a question shows it by naming the value in its text (`{{ photo }}`). The client sends the file inline
// in the submission's `files` as `base64:<bytes>`; the server never opens a path from a request.
import type { Survey } from './schema';

export const IMAGE_MEDIA_TYPES = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
} as const;

/** How binary files travel in the submission's text-only `files` map. */
export const BASE64_FILE_PREFIX = 'base64:';

/** The image path a scenario value names, or null when it is not an image value. */
export function imageReference(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  const path = (value as Record<string, unknown>).image;
  if (keys.length !== 1 || typeof path !== 'string') return null;
  return /\.(png|jpe?g|webp|gif)$/i.test(path) ? path : null;
}

export function mediaTypeOf(path: string): (typeof IMAGE_MEDIA_TYPES)[keyof typeof IMAGE_MEDIA_TYPES] | null {
  const extension = /\.([a-z]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';
  return (IMAGE_MEDIA_TYPES as Record<string, (typeof IMAGE_MEDIA_TYPES)[keyof typeof IMAGE_MEDIA_TYPES]>)[extension] ?? null;
}

/** Every image file the scenarios name, once each. */
export function imagePaths(scenarios: readonly Record<string, unknown>[]): string[] {
  const paths = new Set<string>();
  for (const scenario of scenarios)
    for (const value of Object.values(scenario)) {
      const path = imageReference(value);
      if (path) paths.add(path);
    }
  return [...paths];
}

/** Whether any question shows an image: only models that accept images can run such a survey. */
export function surveyShowsImages(survey: Pick<Survey, 'scenarios' | 'questions'>): boolean {
  const imageKeys = new Set<string>();
  for (const scenario of survey.scenarios) for (const [key, value] of Object.entries(scenario)) if (imageReference(value)) imageKeys.add(key);
  if (imageKeys.size === 0) return false;
  return survey.questions.some((question) =>
    [...imageKeys].some((key) =>
      new RegExp(`\\{\\{-?\\s*(scenario\\.)?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*-?\\}\\}`).test(question.question_text),
    ),
  );
}

/** Largest image a survey may show: providers refuse larger ones (OpenAI and Anthropic take about 20 MB or less). */
export const MAX_IMAGE_BYTES = 20 * 1024 * 1024;

export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[keyof typeof IMAGE_MEDIA_TYPES];

/** An image a call shows, ready for a provider: base64 bytes, their media type, and a hash for the cache key. */
export interface PromptImage {
  path: string;
  media_type: ImageMediaType;
  data: string;
  sha256: string;
}

/**
 * What a question's text shows where it names an image: its number among the call's images. Not the file name,
 * which could give the answer away ("cat.png").
 */
export function imagePlaceholder(number: number | null): string {
  return number === null ? '[image]' : `[image ${number}]`;
}

/** Whether a path is one a survey may name: relative, inside the survey's folder. */
export function isInsideFolder(path: string): boolean {
  return !/^([a-z]:)?[\\/]/i.test(path) && !path.split(/[\\/]/).includes('..');
}
