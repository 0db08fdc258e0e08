"""The sales front office: people, customers (客户), pools (公海/线索池), contacts (联系人),
leads (销售线索), follow-ups (跟进记录), sales processes (销售流程) and opportunities (商机).

Every record type here is a declared record type (:mod:`crmkit.domain.records`), stored by
the generic repositories of every backend.
"""
