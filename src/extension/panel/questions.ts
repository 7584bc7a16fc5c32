// The questions of a survey file as the panel's charts need them: type, options in the file's order, labels.
// No vscode import; a file that no longer parses gives none, and the charts then go by the answers alone.
import { loadSurveyFiles, parseSurvey } from '../../format';
import type { QuestionInfo } from '../../webview/messages';

export function questionsOf(path: string): QuestionInfo[] {
  try {
    const loaded = loadSurveyFiles(path);
    const parsed = parseSurvey(loaded.source, loaded.readFile);
    if (!parsed.ok) return [];
    return parsed.value.questions.map((question) => {
      const options = 'question_options' in question && Array.isArray(question.question_options) ? question.question_options.map(String) : null;
      const labels =
        question.question_type === 'linear_scale' && question.option_labels
          ? Object.fromEntries(Object.entries(question.option_labels).map(([k, v]) => [k, String(v)]))
          : null;
      return { name: question.question_name, type: question.question_type, options, labels };
    });
  } catch {
    return [];
  }
}
