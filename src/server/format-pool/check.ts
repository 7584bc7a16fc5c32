// The work a spec worker does for one submission: parse and check the survey or eval, with its scenario or dataset
// files and its images, exactly as the CLI does locally. Plain data goes back; the main thread compiles from it.
import { imageFiles, parseEval, parseSurveyWithPlaces, type FileKind, type FileReader } from '../../format';
import type { SpecReply, SpecTask } from './messages';

export function checkSpec(task: SpecTask): SpecReply {
  const { files } = task;
  const readFile: FileReader = (name) => (Object.hasOwn(files, name) ? files[name] : undefined);
  return CHECKS[task.kind](task, readFile);
}

const CHECKS: Record<FileKind, (task: SpecTask, readFile: FileReader) => SpecReply> = {
  survey: (task, readFile) => {
    const { result, places } = parseSurveyWithPlaces(task.source, readFile, { maxQuestions: task.maxQuestions });
    if (!result.ok) return { ok: false, issues: result.issues, message: null };
    const images = imageFiles(result.value.scenarios, task.files);
    if (!images.ok) return { ok: false, issues: [], message: images.message };
    return { ok: true, kind: 'survey', survey: result.value, places, images: [...images.images] };
  },
  eval: (task, readFile) => {
    const parsed = parseEval(task.source, readFile);
    return parsed.ok ? { ok: true, kind: 'eval', task: parsed.value } : { ok: false, issues: parsed.issues, message: null };
  },
};
