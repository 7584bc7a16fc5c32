// GET /v1/jobs/{id}/source: the survey or eval file a job was submitted with, as the server stored it.
import { z } from 'zod';

export const JobSource = z.object({
  /** The file's name as submitted, e.g. `coffee.survey.yaml`; `edsl-<uuid>.survey.json` for jobs sent by EDSL's client. */
  name: z.string(),
  text: z.string(),
  /** The names of the files it carried (scenario files, images), without their content. */
  files: z.array(z.string()),
});
export type JobSource = z.infer<typeof JobSource>;

/** Jobs sent by EDSL's client (through /api/v0) are stored under this file name. */
export const isEdslSourceName = (name: string): boolean => /^edsl-[0-9a-f-]{36}\.survey\.json$/.test(name);
export const edslSourceName = (uuid: string): string => `edsl-${uuid}.survey.json`;
