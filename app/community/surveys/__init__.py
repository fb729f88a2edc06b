"""满意度调查 rules: questionnaires (drafted by the 物业部, approved by the 项目经理, never edited once approved),
half-yearly campaigns per community, the households' answers (typed from the paper forms or imported from
Excel) and the satisfaction rates.

One module a record or a job; everything they offer is imported from here (`from app.community.surveys import
results`, `surveys.transition(...)`):

    common          the fields' labels, who does what (the roles of each step)
    questionnaire   the questionnaires and their questions; the state machine (TEMPLATE_TRANSITIONS)
    campaign        the half-yearly campaigns, one per community and half year
    answers         the households' forms, one per household and campaign; what each question takes
    rates           the satisfaction rates (RATE_DEFINITION) and the results against the previous campaign
    workbook        the Excel workbook of the forms and its import

No request, no Flask globals: views, the demo and tests pass an `Actor`.
"""
from app.community.surveys.answers import (answer_hint, check_answers, delete_response, find_house, parse_answer,
                                           progress, recent_responses, record_response, unanswered_house_numbers)
from app.community.surveys.campaign import (CAMPAIGN_ACTIONS, CAMPAIGN_TRANSITIONS, HALVES, campaign_transition,
                                            campaigns, check_campaign, half_label, half_of, open_campaign,
                                            previous_campaign)
from app.community.surveys.common import APPROVERS, CAMPAIGN_RUNNERS, CLERKS, DRAFTERS, LABELS
from app.community.surveys.questionnaire import (INTRO_LIMIT, MAX_OPTIONS, MAX_QUESTIONS, NAME_LIMIT, NOTE_REQUIRED,
                                                 OPTION_LIMIT, QUESTION_LIMIT, TEMPLATE_ACTIONS, TEMPLATE_TRANSITIONS,
                                                 add_question, approved_templates, check_question, check_template,
                                                 copy_template, may_edit, move_question, remove_question,
                                                 save_template, template_actions, transition)
from app.community.surveys.rates import (RATE_DEFINITION, SATISFIED_SCORE, Line, Rate, change, department_rates,
                                         percent, results, show_change, show_rate)
from app.community.surveys.workbook import (MAX_IMPORT_ROWS, ImportResult, import_responses, import_template,
                                            question_header)

__all__ = [
    # common
    "APPROVERS", "CAMPAIGN_RUNNERS", "CLERKS", "DRAFTERS", "LABELS",
    # questionnaire
    "INTRO_LIMIT", "MAX_OPTIONS", "MAX_QUESTIONS", "NAME_LIMIT", "NOTE_REQUIRED", "OPTION_LIMIT", "QUESTION_LIMIT",
    "TEMPLATE_ACTIONS", "TEMPLATE_TRANSITIONS", "add_question", "approved_templates", "check_question",
    "check_template", "copy_template", "may_edit", "move_question", "remove_question", "save_template",
    "template_actions", "transition",
    # campaign
    "CAMPAIGN_ACTIONS", "CAMPAIGN_TRANSITIONS", "HALVES", "campaign_transition", "campaigns", "check_campaign",
    "half_label", "half_of", "open_campaign", "previous_campaign",
    # answers
    "answer_hint", "check_answers", "delete_response", "find_house", "parse_answer", "progress", "recent_responses",
    "record_response", "unanswered_house_numbers",
    # rates
    "RATE_DEFINITION", "SATISFIED_SCORE", "Line", "Rate", "change", "department_rates", "percent", "results",
    "show_change", "show_rate",
    # workbook
    "MAX_IMPORT_ROWS", "ImportResult", "import_responses", "import_template", "question_header",
]
