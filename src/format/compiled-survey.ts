// A survey ready to run: templates, rules and answer parsers compiled once per question (when first used), then
// used per call on the hot path. A question throws on what parseSurvey reports about templates, rules and memory;
// build it from the Survey parseSurvey returned, which has already shown those problems with their positions.
import { answerParser, type AnswerParser, type ParsedAnswer } from './answers';
import { keysOf, QuestionCompiler, type CompiledParts } from './compile-questions';
import { interviewAt, interviewCount, interviews, type Dimensions, type InterviewRef } from './expand';
import { answeringInstructions, memoryBlock, presentation, systemPrompt, userPrompt, type Prompts, type RememberedAnswer } from './prompts';
import { imagePaths, imagePlaceholder, imageReference, type PromptImage } from './images';
import { QuestionRenderError, type TemplatePlaces } from './render-error';
import type { CompiledRule } from './rules';
import { TemplateRenderError } from './template';
import type { Survey } from './schema';

/** What an interview knows of an asked question. answer null: no answer (skipped, invalid or failed). */
export interface AnswerRecord {
  answer: unknown;
  comment: string | null;
}

const NO_ANSWER: AnswerRecord = Object.freeze({ answer: null, comment: null });

interface CompiledQuestion extends CompiledParts {
  name: string;
  shown: string;
  instructions: string;
  parse: AnswerParser;
}

export class CompiledSurvey {
  readonly interviewCount: number;
  private readonly dimensions: Dimensions;
  private readonly questions: (CompiledQuestion | undefined)[];
  private compiler: QuestionCompiler | null = null;
  private readonly systemPrompts: (string | undefined)[] = [];
  private readonly agentScopes: (Record<string, unknown> | undefined)[] = [];
  /** Whether any scenario names an image: only then do question texts need their image values replaced. */
  private readonly namesImages: boolean;

  /**
   * `images`: the files the scenarios name, by path (see imageFiles). Without them (a preview) question texts still
   * show "[image 1]" where they name an image, and calls carry no images.
   */
  constructor(
    readonly survey: Survey,
    private readonly images: ReadonlyMap<string, PromptImage> = new Map(),
    /** Where the question texts are in the file, so a render that fails later is reported at its line and column. */
    private readonly places: TemplatePlaces | null = null,
  ) {
    // Questions compile when first asked for, so that building a survey of thousands of questions never holds the
    // event loop at once: an estimate or a run spreads the work over its own steps.
    this.questions = new Array<CompiledQuestion | undefined>(survey.questions.length);
    this.dimensions = {
      agents: survey.agents.length,
      scenarios: survey.scenarios.length,
      models: survey.models.length,
      iterations: survey.iterations,
    };
    this.interviewCount = interviewCount(this.dimensions);
    this.namesImages = imagePaths(survey.scenarios).length > 0;
  }

  /** Interview `index`: iteration varies fastest, then model, then scenario, then agent. */
  interviewAt(index: number): InterviewRef {
    return interviewAt(this.dimensions, index);
  }

  /** Interviews from `from` on, lazily. */
  interviews(from = 0): Generator<InterviewRef> {
    return interviews(this.dimensions, from);
  }

  /** Whether the question's skip_if holds, given the answers so far. A rule that fails to evaluate is false. */
  shouldSkip(ref: InterviewRef, questionIndex: number, answers: ReadonlyMap<string, AnswerRecord>): boolean {
    return this.holds(this.question(questionIndex).skip, ref, answers);
  }

  /** Whether the question's stop_if holds once it is answered: the interview then ends. */
  shouldStop(ref: InterviewRef, questionIndex: number, answers: ReadonlyMap<string, AnswerRecord>): boolean {
    return this.holds(this.question(questionIndex).stop, ref, answers);
  }

  /** The prompts of one call. Throws a QuestionRenderError saying why and where if a question text cannot be rendered. */
  prompts(ref: InterviewRef, questionIndex: number, answers: ReadonlyMap<string, AnswerRecord>): Prompts {
    const question = this.question(questionIndex);
    const images: PromptImage[] = [];
    const text = this.questionText(questionIndex, ref, answers, images);
    let memory = '';
    if (question.memory.length > 0) {
      const remembered: RememberedAnswer[] = [];
      for (const earlier of question.memory) {
        const record = answers.get(this.question(earlier).name);
        if (record && record.answer !== null && record.answer !== undefined) {
          remembered.push({ question_text: this.questionText(earlier, ref, answers), answer: record.answer });
        }
      }
      memory = memoryBlock(remembered);
    }
    const prompts: Prompts = { system: this.systemPrompt(ref.agentIndex), user: userPrompt(text, question.shown, memory, question.instructions) };
    if (images.length > 0) prompts.images = images;
    return prompts;
  }

  parseAnswer(questionIndex: number, raw: string): ParsedAnswer {
    return this.question(questionIndex).parse(raw);
  }

  /** The question, compiled on first use. Throws on what parseSurvey reports (build from a Survey it returned). */
  private question(index: number): CompiledQuestion {
    const found = this.questions[index];
    if (found) return found;
    const question = this.survey.questions[index];
    if (!question) throw new RangeError(`question ${index} does not exist; this survey has ${this.questions.length} questions`);
    this.compiler ??= new QuestionCompiler(this.survey.questions, {
      scenarioKeys: keysOf(this.survey.scenarios),
      agentKeys: keysOf(this.survey.agents.map((agent) => agent.traits)),
      memory: this.survey.memory,
    });
    const { parts, problems } = this.compiler.compile(index);
    if (!parts) throw new Error(`question "${question.question_name}": ${problems[0]?.message ?? 'could not be compiled'}`);
    const compiled: CompiledQuestion = {
      ...parts,
      name: question.question_name,
      shown: presentation(question),
      instructions: answeringInstructions(question),
      parse: answerParser(question),
    };
    this.questions[index] = compiled;
    return compiled;
  }

  /** The question's text for this interview; `shown` collects the images it names (null: an earlier question, unnumbered). */
  private questionText(index: number, ref: InterviewRef, answers: ReadonlyMap<string, AnswerRecord>, shown: PromptImage[] | null = null): string {
    const { template, templateQuestions, scenarioKeys } = this.question(index);
    if (template.isFixed) return template.source;
    let scenario = this.survey.scenarios[ref.scenarioIndex] ?? {};
    if (this.namesImages) scenario = this.withImagePlaceholders(scenario, scenarioKeys, shown);
    // Scenario keys at top level; `scenario`, `agent` and the questions the template reads take precedence.
    const scope: Record<string, unknown> = { ...scenario, scenario, agent: this.agentScope(ref.agentIndex) };
    for (const name of templateQuestions) scope[name] = answers.get(name) ?? NO_ANSWER;
    try {
      return template.render(scope);
    } catch (error) {
      if (!(error instanceof TemplateRenderError)) throw error;
      const context = { question: index, questionName: this.question(index).name, scenarioIndex: ref.scenarioIndex, agentIndex: ref.agentIndex };
      throw new QuestionRenderError(context, error.offset, error.reason, this.places);
    }
  }

  /** The scenario with each image value the text names replaced by its placeholder; the images go to `shown`. */
  private withImagePlaceholders(scenario: Record<string, unknown>, keys: readonly string[], shown: PromptImage[] | null): Record<string, unknown> {
    let replaced: Record<string, unknown> | null = null;
    let number = 0;
    for (const key of keys) {
      const path = imageReference(scenario[key]);
      if (path === null) continue;
      replaced ??= { ...scenario };
      number++;
      replaced[key] = imagePlaceholder(shown ? number : null);
      const image = this.images.get(path);
      if (shown && image) shown.push(image);
    }
    return replaced ?? scenario;
  }

  private holds(rule: CompiledRule | null, ref: InterviewRef, answers: ReadonlyMap<string, AnswerRecord>): boolean {
    if (!rule) return false;
    const context: Record<string, unknown> = {
      scenario: this.survey.scenarios[ref.scenarioIndex] ?? {},
      agent: this.agentScope(ref.agentIndex),
    };
    for (const name of rule.questions) context[name] = answers.get(name) ?? NO_ANSWER;
    return rule.evaluate(context);
  }

  private systemPrompt(agentIndex: number): string {
    let prompt = this.systemPrompts[agentIndex];
    if (prompt === undefined) {
      const agent = this.survey.agents[agentIndex];
      if (!agent) throw new RangeError(`agent ${agentIndex} does not exist`);
      prompt = systemPrompt(agent);
      this.systemPrompts[agentIndex] = prompt;
    }
    return prompt;
  }

  /** `agent` in templates and rules: its traits, and `name`. */
  private agentScope(agentIndex: number): Record<string, unknown> {
    let scope = this.agentScopes[agentIndex];
    if (scope === undefined) {
      const agent = this.survey.agents[agentIndex];
      scope = { ...(agent?.traits ?? {}), name: agent?.name ?? agent?.traits['name'] ?? null };
      this.agentScopes[agentIndex] = scope;
    }
    return scope;
  }
}
