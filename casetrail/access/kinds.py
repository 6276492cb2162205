"""The chain of a 调用单 (第三十二条: copies only with the 局长's approval), registered with
``approvals.kinds.register_kind`` from ``AccessConfig.ready()``."""

COPY_CHAIN = "copy_request"
COPY_CHAIN_LABEL = "行政执法全过程记录调用审批"
#: The catalogue entry of the 调用单's form.
FORM = "copy_request"
