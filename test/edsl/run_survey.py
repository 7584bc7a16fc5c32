# Runs a survey with EDSL's own client, unchanged: remote inference goes to EXPECTED_PARROT_URL (a Fieldwork server).
# Writes what EDSL's Results hold to the file named by argv[1], as JSON.
import json
import sys

from edsl import Agent, AgentList, Model, QuestionFreeText, QuestionLinearScale, QuestionMultipleChoice, Scenario, ScenarioList, Survey

likes = QuestionMultipleChoice(question_name="likes", question_text="Do you like {{ scenario.food }}?", question_options=["yes", "no"])
why_not = QuestionFreeText(question_name="why_not", question_text="Why not {{ scenario.food }}?")
rating = QuestionLinearScale(question_name="rating", question_text="How much do you like {{ scenario.food }}?", question_options=[1, 2, 3, 4, 5])
survey = Survey([likes, why_not, rating]).add_rule(likes, "{{ likes.answer }} == 'yes'", rating)

agents = AgentList([Agent(name="ann", traits={"age": 30}), Agent(name="bob", traits={"age": 60})])
scenarios = ScenarioList([Scenario({"food": "tea"}), Scenario({"food": "soup"}), Scenario({"food": "plums"})])
results = survey.by(agents).by(scenarios).by(Model("test", service_name="test")).run(disable_remote_cache=True)

rows = []
for result in results:
    rows.append({
        "agent": result["agent"].name,
        "scenario": result["scenario"]["food"],
        "iteration": result["iteration"],
        "answer": dict(result["answer"]),
    })
selected = results.select("answer.*").to_dicts()
with open(sys.argv[1], "w") as out:
    json.dump({"rows": rows, "selected": selected}, out)
