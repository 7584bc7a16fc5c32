// What "New Survey" and "New Eval" write: small, valid, and runnable on the offline `test` model.
export const SURVEY_TEMPLATE = `# A survey: questions asked of agents about scenarios by models. Click "▶ Run remotely" above to run it.
name: My survey

agents:
  - name: student
    traits: { age: 21, occupation: student }

scenarios:
  - { topic: public transport }

models:
  - test

questions:
  - question_name: uses_it
    question_type: yes_no
    question_text: Do you use {{ topic }}?

  - question_name: why
    question_type: free_text
    question_text: In one sentence, why?
`;

export const EVAL_TEMPLATE = `# An eval: a dataset of samples × a prompt × models, scored by scorers. Click "▶ Run remotely" above to run it.
name: My eval
dataset:
  - { input: "What is 2 + 2?", target: "4" }
  - { input: "What is the capital of France?", target: "Paris" }
prompt:
  system: Answer briefly.
models: [test]
scorers:
  - { type: includes }
`;
