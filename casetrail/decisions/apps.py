from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    """Internal decisions after the start (第六条; 第四、五章): each taken through an approval chain
    by the people who hold the power, in their own login — the decision on the case (处理决定审批),
    evidence preservation, enforcement, the court application, closing the case, extensions,
    exemptions and a change of the 重大 flag. Registers its chain effects, acts, panels and rules
    into the apps below from here."""

    name = "casetrail.decisions"
    label = "decisions"
    verbose_name = "审查决定"
