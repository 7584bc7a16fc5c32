// "Preview prompts": the system and user prompts the first interviews will send, as Markdown. No vscode import.
import { basename } from 'node:path';
import { CompiledEval, CompiledSurvey, formatIssue, loadEvalFiles, loadSurveyFiles, parseEval, parseSurvey } from '../../format';
import type { SpecKind } from '../format-files';

export function previewPrompts(kind: SpecKind, path: string, maxInterviews = 2): string {
  const lines: string[] = [`# Prompts of ${basename(path)}`, ''];
  if (kind === 'survey') {
    const loaded = loadSurveyFiles(path);
    const parsed = parseSurvey(loaded.source, loaded.readFile);
    if (!parsed.ok) return problems(lines, parsed.issues.map(formatIssue));
    const survey = new CompiledSurvey(parsed.value);
    lines.push(`${survey.interviewCount} interviews × ${parsed.value.questions.length} questions. Earlier answers are shown empty here.`, '');
    for (let i = 0; i < Math.min(maxInterviews, survey.interviewCount); i++) {
      const ref = survey.interviewAt(i);
      const agent = parsed.value.agents[ref.agentIndex];
      lines.push(
        `## Interview ${i + 1}: agent ${agent?.name ?? ref.agentIndex + 1}, scenario ${ref.scenarioIndex + 1}, model ${modelName(parsed.value.models[ref.modelIndex])}`,
        '',
      );
      parsed.value.questions.forEach((question, q) => {
        const prompts = survey.prompts(ref, q, new Map());
        lines.push(`### ${question.question_name}`, '', '**System**', '', fence(prompts.system), '', '**User**', '', fence(prompts.user), '');
      });
    }
    return lines.join('\n');
  }
  const loaded = loadEvalFiles(path);
  const parsed = parseEval(loaded.source, loaded.readFile);
  if (!parsed.ok) return problems(lines, parsed.issues.map(formatIssue));
  const task = new CompiledEval(parsed.value);
  lines.push(`${parsed.value.samples.length} samples, ${task.interviewCount} interviews.`, '');
  for (let s = 0; s < Math.min(maxInterviews, parsed.value.samples.length); s++) {
    const prompts = task.prompts(s);
    lines.push(`## Sample ${s + 1}`, '', '**System**', '', fence(prompts.system), '', '**User**', '', fence(prompts.user), '');
  }
  return lines.join('\n');
}

function problems(lines: string[], messages: string[]): string {
  return [...lines, 'The file has problems; fix them first (see the Problems panel):', '', ...messages.map((m) => `- ${m}`)].join('\n');
}

function fence(text: string): string {
  const ticks = text.includes('```') ? '````' : '```';
  return `${ticks}text\n${text}\n${ticks}`;
}

function modelName(model: unknown): string {
  if (typeof model === 'string') return model;
  if (model && typeof model === 'object' && 'model' in model) return String((model as { model: unknown }).model);
  return '?';
}
