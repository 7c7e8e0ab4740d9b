"""User-facing messages of the IRT engine (zh / en)."""

from __future__ import annotations

from eduquality.errors import KeyedError
from eduquality.i18n import register, tr

MESSAGES = register({
    "irt.no_variance": (
        "以下题目所有作答都相同（无方差），无法估计参数，请删除后重试：{items}",
        "these items have no variance (every response is the same), so they cannot be "
        "calibrated; remove them and try again: {items}",
    ),
    "irt.no_responses": (
        "以下题目没有任何作答：{items}",
        "these items have no responses at all: {items}",
    ),
    "irt.not_converged": (
        "模型 {model} 在 {n} 次 EM 迭代后未收敛（参数最大变化 {change:.2g} > 容差 {tol:g}）；"
        "结果仅供参考，可增加迭代次数或检查数据",
        "model {model} did not converge in {n} EM iterations (largest parameter change "
        "{change:.2g} > tolerance {tol:g}); treat the results with caution, raise max_iter or "
        "check the data",
    ),
    "irt.unknown_model": (
        "未知的 IRT 模型 {model}（可选：{choices}）",
        "unknown IRT model {model} (choose from {choices})",
    ),
    "irt.bad_values": (
        "作答数据第 {column} 列含有非整数或负数值（例：{value}）；作答须为整数类别，缺失留空或 NA",
        "column {column} holds values that are not non-negative integers (e.g. {value}); "
        "responses must be integer categories, blank or NA for missing",
    ),
    "irt.too_few": (
        "数据太少：{n_persons} 人、{n_items} 题（至少 2 人、2 题）",
        "too little data: {n_persons} persons, {n_items} items (need at least 2 of each)",
    ),
    "irt.not_dichotomous": (
        "Mantel–Haenszel DIF 只适用于 0/1 计分题，以下题目不是：{items}",
        "Mantel–Haenszel DIF needs items scored 0/1; these are not: {items}",
    ),
    "irt.bad_group": (
        "分组列中找不到焦点组取值 {focal}，或只有一个组",
        "the group column has no focal value {focal}, or only one group",
    ),
    "irt.unknown_method": (
        "未知的方法 {method}（可选：{choices}）",
        "unknown method {method} (choose from {choices})",
    ),
    "irt.not_fitted": ("模型尚未拟合，请先调用 fit()", "the model is not fitted; call fit() first"),
    "irt.items_mismatch": (
        "作答数据的题目与题库不一致：缺少 {missing}",
        "the responses do not match the item bank: missing {missing}",
    ),
    "irt.no_common": (
        "两个试卷没有足够的共同题（至少 {need} 道，实有 {n} 道）",
        "too few common items between the forms (need {need}, found {n})",
    ),
})


class IRTError(KeyedError):
    """Input that the IRT engine cannot work with; the message (a key with parameters, shown
    in the user's language by the CLI: ``err.text(lang)``) says where and why."""


class IRTConvergenceWarning(UserWarning):
    """EM stopped at ``max_iter`` before the parameters settled. Like :class:`IRTError` it
    carries a message key: ``str(w)`` is the Chinese text, ``w.text(lang)`` any language."""

    def __init__(self, key: str, /, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(tr(key, "zh", **params))

    def text(self, lang: str = "zh") -> str:
        return tr(self.key, lang, **self.params)


def error(key: str, /, **params: object) -> IRTError:
    return IRTError(key, **params)


__all__ = ["MESSAGES", "IRTConvergenceWarning", "IRTError", "error", "tr"]
