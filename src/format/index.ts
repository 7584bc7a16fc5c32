// The survey file format: schemas, parsing with positions, expansion into interviews, prompts, rules and answers.
export { formatIssue, type ParseResult, type SpecIssue } from './issues';
export { parseSurvey, parseSurveyWithPlaces, type FileReader, type ParseOptions, type SourceFile } from './parse';
export { loadSurveyFiles, referencedFiles, resolveInsideFolder, type LoadedSurvey } from './load';
export { fileKind, formatFileKind, isSurveyFileName, type FileKind } from './file-kind';
export { checkFormatFile, loadFormatFile, parseFormatFile, type LoadedFile, type ParsedFile } from './format-file';
export { OutsideFolderError } from './folder';
export { QuestionRenderError, type TemplatePlaces } from './render-error';
export { TemplateRenderError } from './template';
export { CompiledSurvey, type AnswerRecord } from './compiled-survey';
export type { InterviewRef } from './expand';
export type { Prompts } from './prompts';
export { DEFAULT_AGENT_INSTRUCTION } from './prompts';
export type { ParsedAnswer } from './answers';
export { sampleReply } from './sample';
export { surveyJsonSchema, SURVEY_SCHEMA_ID } from './json-schema';
export { Agent, ModelSpec, Scenario, Survey, SurveyFile } from './schema';
export { Question, QUESTION_TYPES, type QuestionOf, type QuestionType } from './question-types';
export { DEFAULT_MAX_QUESTIONS, MAX_ALIAS_COUNT, MAX_DEPTH, MAX_ENTRIES, maxQuestionsSetting, MAX_SCENARIO_FILE_BYTES, MAX_SOURCE_BYTES } from './limits';
export {
  BASE64_FILE_PREFIX,
  imagePaths,
  imagePlaceholder,
  imageReference,
  MAX_IMAGE_BYTES,
  mediaTypeOf,
  surveyShowsImages,
  type ImageMediaType,
  type PromptImage,
} from './images';
export { imageFiles, type ImageFilesResult } from './image-files';
export * from './eval';
