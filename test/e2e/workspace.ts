// The workspace the end-to-end run opens: two examples, and surveys made to show one thing each.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SLOW_SURVEY = `name: Slow survey
agents: [{ name: patient, traits: { age: 50 } }]
scenarios: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }, { n: 6 }]
models: [{ model: test, latency_ms: 2000 }]
questions:
${Array.from({ length: 20 }, (_, i) => `  - { question_name: q${i + 1}, question_type: free_text, question_text: "Thought ${i + 1} about {{ n }}?" }`).join('\n')}
`;

// A misspelt question type: the Problems entry says "Did you mean", and its quick fix corrects it.
const TYPO_SURVEY = `name: Typo
models: [test]
questions:
  - question_name: drink
    question_type: multiple_choise
    question_text: Which drink?
    question_options: [tea, coffee]
`;

// Two models: the fast one's interviews are done in about a second, the slow one's take 10 s or more.
const LIVE_SURVEY = `name: Live survey
scenarios: [{ n: 1 }, { n: 2 }, { n: 3 }]
models: [{ model: test, name: fast, latency_ms: 300 }, { model: test, name: slow, latency_ms: 10000 }]
questions:
  - { question_name: mood, question_type: free_text, question_text: "How is day {{ n }}?" }
  - { question_name: score, question_type: linear_scale, question_text: "Rate day {{ n }}", question_options: [1, 2, 3, 4, 5], option_labels: { 1: Bad, 5: Great } }
`;

// Line 6 has the mistake: a multiple choice question with one option.
const BROKEN_SURVEY = `name: Broken
models: [test]
questions:
  - question_name: colour
    question_type: multiple_choice
    question_text: Which colour?
    question_options: [red]
`;

/** Fills `workspace` (made if need be) with the files the scenarios open. */
export function makeWorkspace(repo: string, workspace: string): void {
  mkdirSync(workspace, { recursive: true });
  copyFileSync(join(repo, 'examples/coffee.survey.yaml'), join(workspace, 'coffee.survey.yaml'));
  copyFileSync(join(repo, 'examples/arithmetic.eval.yaml'), join(workspace, 'arithmetic.eval.yaml'));
  writeFileSync(join(workspace, 'slow.survey.yaml'), SLOW_SURVEY);
  writeFileSync(join(workspace, 'broken.survey.yaml'), BROKEN_SURVEY);
  writeFileSync(join(workspace, 'live.survey.yaml'), LIVE_SURVEY);
  writeFileSync(join(workspace, 'typo.survey.yaml'), TYPO_SURVEY);
}
