#!/usr/bin/env python3
"""Sample conformance adapter in Python (standard library only).

Copy this file and replace the `Client` class with calls into your own receipt-computer code:
`Adapter` speaks the runner's JSON-lines protocol (conformance/README.md, "The adapter
protocol") and only asks the client what a person at the counter would; `Client` is a small
stand-in client that talks to the simulator over XML over HTTP or the file exchange
(docs/interface.md). Run:

    conformance run --adapter "python3 examples/python-adapter/adapter.py --transport http"
    conformance run --adapter "python3 examples/python-adapter/adapter.py --transport exchange"
    conformance run --adapter "python3 examples/python-adapter/adapter.py --transport webapi"
"""

import argparse
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

# OQSCD006 資格有効性: code -> label (docs/interface.md §4).
VALIDITY = {"1": "有効", "2": "無効", "3": "無効（新しい資格あり）", "4": "該当資格なし",
            "5": "複数該当", "6": "有効（未登録）"}
# OQSCD007 性別.
SEX = {"1": "男", "2": "女", "3": "未設定"}
# Banners of the result screen by validity code (docs/interface.md §6); 4 has none.
BANNER = {"1": "この資格は有効です。", "2": "この資格は無効です。",
          "3": "この資格は無効です。新しい資格が存在するので確認してください。",
          "5": "複数の資格該当者が見つかりました。資格確認の該当者を以下から選択してください。"}
# 医療扶助 (docs/interface.md, 医療扶助): ERR-20 for 有効（未登録） (no ticket for this facility),
# ERR-21 when a ticket carries ConsistencyFlag (社会保険状況の不整合).
MA_NO_TICKET = "医療券/調剤券情報が登録されていません。福祉事務所へ連絡してください。"
MA_MISMATCH = "社会保険状況に不整合があります。患者に現在の加入資格を確認して下さい。"
# What a client shows after a 照会番号 was registered (the terminal's DLG-10 answer, §2.6).
REGISTERED = "照会番号が登録されました。"
# Seconds between two OQSmuquc02req polls while SegmentOfResult is 2 (処理中).
POLL_INTERVAL = 0.2
# How long the client waits for an answer file in res/.
EXCHANGE_TIMEOUT = 15.0


def log(*parts):
    """Diagnostics go to stderr: the runner shows its tail when the adapter dies."""
    print(*parts, file=sys.stderr, flush=True)


class ClientError(Exception):
    """The client could not get an answer at all (not a conclusion about the card)."""


# ---- wire helpers -------------------------------------------------------------------------

def parse_xml(data):
    """Parse a result in UTF-8 or Shift_JIS.

    Python's expat reads only single-byte encodings besides UTF-8/16, so a Shift_JIS document
    is decoded here and its prolog dropped before parsing.
    """
    head = data[:100].decode("ascii", "replace")
    match = re.match(r'<\?xml[^>]*encoding=["\']([A-Za-z0-9_\-]+)["\']', head)
    encoding = match.group(1).lower() if match else "utf-8"
    if encoding in ("shift_jis", "shift-jis", "sjis", "windows-31j", "cp932"):
        encoding = "cp932"
    text = data.decode(encoding)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    return ET.fromstring(text)


def text_of(node, path):
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    return found.text


def element(name, value):
    return "<%s>%s</%s>" % (name, escape(value), name) if value is not None else ""


def insurer_on_wire(printed):
    """保険者番号: 8 digits as printed; a 6-digit 国保 number right-aligned with spaces."""
    return printed.rjust(8, " ") if len(printed) == 6 else printed


def branch_on_wire(printed):
    """枝番: always 2 digits ("1" on the card is sent as "01")."""
    return printed.zfill(2) if printed else None


def search_info(card, limit_consent):
    return ("<QualificationConfirmSearchInfo>"
            + element("InsurerNumber", insurer_on_wire(card["insurer_number"]))
            + element("InsuredCardSymbol", card.get("symbol"))
            + element("InsuredIdentificationNumber", card["number"])
            + element("InsuredBranchNumber", branch_on_wire(card.get("branch")))
            + element("Birthdate", card["birthdate"])
            + element("LimitApplicationCertificateRelatedConsFlg", "1" if limit_consent else "0")
            + "</QualificationConfirmSearchInfo>")


def registration_info(card, number):
    """One ReferenceNumberRegistrationInfo (docs/interface.md §2.4); an empty number deletes."""
    return ("<ReferenceNumberRegistrationInfo>" + element("ReferenceNumber", number)
            + element("InsurerNumber", insurer_on_wire(card["insurer_number"]))
            + element("InsuredCardSymbol", card.get("symbol"))
            + element("InsuredIdentificationNumber", card["number"])
            + element("InsuredBranchNumber", branch_on_wire(card.get("branch")))
            + "</ReferenceNumberRegistrationInfo>")


def message_xml(header, body):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<XmlMsg><MessageHeader>' + header
            + "</MessageHeader><MessageBody>" + body + "</MessageBody></XmlMsg>").encode("utf-8")


def ratio_label(digits):
    """一部負担金割合 "030" -> "3割"."""
    if not digits or not digits.isdigit():
        return None
    tenths = int(digits)
    return "%d割" % (tenths // 10) if tenths % 10 == 0 else "%d.%d割" % (tenths // 10, tenths % 10)


def candidate(result):
    # 一部負担金割合 is InsuredPartialContributionRatio only (後期高齢); the 高齢受給者証's
    # ElderlyRecipientContributionRatio is another certificate's field, not this one.
    ratio = text_of(result, "InsuredPartialContributionRatio")
    person = {
        "insurer_number": text_of(result, "InsurerNumber") or "",
        "symbol": text_of(result, "InsuredCardSymbol"),
        "number": text_of(result, "InsuredIdentificationNumber") or "",
        "branch": text_of(result, "InsuredBranchNumber"),
        "name": text_of(result, "Name") or "",
        "name_kana": text_of(result, "NameKana"),
        "birthdate": text_of(result, "Birthdate") or "",
        "sex": SEX.get(text_of(result, "Sex1") or ""),
        "contribution_ratio": ratio_label(ratio),
        "limit_category": text_of(
            result, "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateClassificationFlag"),
        "reference_number": text_of(result, "ReferenceNumber"),
    }
    return {key: value for key, value in person.items() if value is not None}


def conclusion(status_node, results, header=None, files=None):
    """What a client shows for one answer: a single result body or one bulk row.

    `status_node` holds ProcessingResultStatus/…Code/…Message and QualificationValidity;
    `header` the MessageHeader (SegmentOfResult 9 carries ErrorCode/ErrorMessage there).
    """
    out = {"candidates": [], "files": files or []}
    if header is not None and text_of(header, "SegmentOfResult") == "9":
        out["message"] = text_of(header, "ErrorMessage")
        out["error_code"] = text_of(header, "ErrorCode")
        return out
    if text_of(status_node, "ProcessingResultStatus") == "2":
        out["message"] = text_of(status_node, "ProcessingResultMessage")
        out["error_code"] = text_of(status_node, "ProcessingResultCode")
        return out
    code = text_of(status_node, "QualificationValidity")
    if code in VALIDITY:
        out["validity"] = VALIDITY[code]
    if code in BANNER:
        out["message"] = BANNER[code]
    assisted = [r for r in results if text_of(r, "InsuredCardClassification") == "A1"]
    if any(r.find("PublicExpenseResultList/MedicalTicketInfo/ConsistencyFlag") is not None
           for r in assisted):
        out["message"] = MA_MISMATCH
    elif assisted and code == "6":
        out["message"] = MA_NO_TICKET
    out["candidates"] = [candidate(r) for r in results]
    return {key: value for key, value in out.items() if value is not None}


# ---- transports: one request XML in, one result XML out --------------------------------------

class HttpTransport:
    """XML over HTTP: POST /xml/{message-id} (docs/interface.md §1.1)."""

    name = "http"

    def __init__(self, base):
        self.base = base.rstrip("/")

    def exchange(self, message_id, body):
        request = urllib.request.Request(
            self.base + "/xml/" + message_id, data=body, method="POST",
            headers={"Content-Type": "application/xml; charset=UTF-8"})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.read(), []
        except urllib.error.HTTPError as error:
            # 400/404/413 and 503 (システム障害): "<code> <message>\n<reason>" as text, like a
            # .err file.
            raise Rejected(error.read().decode("utf-8", "replace"), []) from error


class WebApiTransport:
    """WebAPI (docs/interface.md §1.3, §2.2): single inquiries as the JSON mirror of the XML, with
    an idToken from auth; every other message over XML/HTTP (the WebAPI does not carry them)."""

    name = "webapi"
    AUTH = "/oqs-api-pro/MSA12020/ILI12020SV01/auth"
    SEARCH = "/oqs-api-pro/MSA01030/ILI01030SV01/search"

    def __init__(self, base, account):
        self.base = base.rstrip("/")
        self.account = account or {}
        self.http = HttpTransport(base)
        self.token = None

    def exchange(self, message_id, body):
        if message_id != "OQSsiquc01req":
            return self.http.exchange(message_id, body)
        request = json.dumps({"XmlMsg": to_mirror(parse_xml(body))}, ensure_ascii=False)
        for attempt in (1, 2):
            if self.token is None:
                self.token = self.authenticate()
            status, answer = self.post(self.SEARCH, request, {"Authorization": self.token})
            if status == 401 and attempt == 1:
                # 認証トークンが無効です: expired (30 minutes unused) — authenticate again, once.
                self.token = None
                continue
            if status in (400, 503):
                # 400: the request could not be read; 503: システム障害 (docs/interface.md §2.9).
                first = "%s %s" % (answer.get("errorCode") or "", answer.get("msg") or "")
                raise Rejected(first.strip(), [])
            if status != 200:
                raise ClientError("WebAPI search: HTTP %d %s" % (status, answer.get("msg")))
            root = from_mirror("XmlMsg", answer["XmlMsg"])
            return ET.tostring(root, encoding="utf-8", xml_declaration=True), []
        raise ClientError("WebAPI search refused the token twice")

    def authenticate(self):
        login = json.dumps({"userId": self.account.get("user_id", ""),
                            "password": self.account.get("password", "")})
        status, answer = self.post(self.AUTH, login, {})
        if status == 503:
            # システム障害: shown like any refusal, never retried in a loop (RULE-91).
            first = "%s %s" % (answer.get("errorCode") or "", answer.get("msg") or "")
            raise Rejected(first.strip(), [])
        if status != 200:
            # 401 wrong password, 403 locked (ERR-01): never retry a login automatically.
            raise ClientError("WebAPI auth: HTTP %d %s" % (status, answer.get("msg")))
        return answer["result"]["idToken"]

    def post(self, path, text, headers):
        request = urllib.request.Request(
            self.base + path, data=text.encode("utf-8"), method="POST",
            headers=dict(headers, **{"Content-Type": "application/json"}))
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            try:
                return error.code, json.loads(error.read().decode("utf-8"))
            except ValueError:
                return error.code, {}


def to_mirror(node):
    """An XML element as the WebAPI's JSON: a leaf becomes its text, others a dict of children."""
    children = list(node)
    if not children:
        return node.text or ""
    out = {}
    for child in children:
        value = to_mirror(child)
        if child.tag in out:  # repeated siblings become an array under their shared name
            if not isinstance(out[child.tag], list):
                out[child.tag] = [out[child.tag]]
            out[child.tag].append(value)
        else:
            out[child.tag] = value
    return out


def from_mirror(tag, value):
    """The WebAPI's JSON as an XML element. A list holds either items that keep their element
    (`"ResultList":[{"ResultOfQualificationConfirmation":{…}}]`) or repeated siblings."""
    node = ET.Element(tag)
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, list):
                wrapped = all(isinstance(i, dict) and len(i) == 1 for i in child) and key.endswith("List")
                if wrapped:
                    container = ET.SubElement(node, key)
                    for item in child:
                        (item_tag, item_value), = item.items()
                        container.append(from_mirror(item_tag, item_value))
                else:
                    for item in child:
                        node.append(from_mirror(key, item))
            elif child is not None:
                node.append(from_mirror(key, child))
    elif value is not None:
        node.text = str(value)
    return node


class Rejected(Exception):
    """The request could not be read: an .err file or an HTTP 4xx with the same two lines."""

    def __init__(self, text, files):
        super().__init__(text)
        first = text.splitlines()[0] if text else ""
        code, _, message = first.partition(" ")
        self.code, self.message, self.files = code, message, files


class ExchangeTransport:
    """File exchange: req/<id>_<n>.xml in, res/<id with res>_<n>.xml or res/<base>.err out (§1.2)."""

    name = "exchange"

    def __init__(self, folder):
        self.folder = folder
        self.sequence = 0

    def exchange(self, message_id, body):
        self.sequence += 1
        suffix = "%d_%04d" % (os.getpid(), self.sequence)
        request_name = "%s_%s.xml" % (message_id, suffix)
        answer_id = message_id[:-3] + "res"
        answer_name = "res/%s_%s.xml" % (answer_id, suffix)
        err_name = "res/%s_%s.err" % (message_id, suffix)
        # Written under a name the simulator ignores (only *.xml is taken), then renamed.
        temporary = os.path.join(self.folder, "req", request_name + ".tmp")
        with open(temporary, "wb") as handle:
            handle.write(body)
        os.replace(temporary, os.path.join(self.folder, "req", request_name))
        files = ["req/" + request_name]
        deadline = time.monotonic() + EXCHANGE_TIMEOUT
        while time.monotonic() < deadline:
            err_path = os.path.join(self.folder, err_name)
            if os.path.exists(err_path):
                text = read_complete(err_path, lambda data: data.count(b"\n") >= 1)
                raise Rejected(text.decode("utf-8", "replace"), files + [err_name])
            answer_path = os.path.join(self.folder, answer_name)
            if os.path.exists(answer_path):
                # A result file may appear before it is complete: wait for a whole document.
                data = read_complete(answer_path, complete_xml)
                return data, files + [answer_name]
            time.sleep(0.02)
        raise ClientError("no answer to %s in res/ within %.0f s" % (request_name, EXCHANGE_TIMEOUT))


def complete_xml(data):
    try:
        parse_xml(data)
        return True
    except (ET.ParseError, UnicodeDecodeError, LookupError):
        return False


def read_complete(path, is_complete):
    """Read a file until `is_complete` holds and its size stays the same for 100 ms."""
    deadline = time.monotonic() + EXCHANGE_TIMEOUT
    previous = None
    while time.monotonic() < deadline:
        with open(path, "rb") as handle:
            data = handle.read()
        if data == previous and is_complete(data):
            return data
        previous = data
        time.sleep(0.1)
    raise ClientError("%s never became complete" % path)


# ---- the client: replace this with calls into your own code ---------------------------------

class Client:
    """A stand-in receipt computer. Each method is one thing staff do at the counter."""

    def __init__(self, transport, http_base, facility, exchange=None):
        self.transport = transport
        self.http_base = http_base.rstrip("/")
        self.facility = facility
        self.file_counter = 0
        self.exchange = exchange
        self.face_seen = set()  # face/ names already handled (each file exactly once)

    def face_results(self):
        """Face-reader results that appeared in face/ (docs/interface.md §2.3), oldest first.

        A file that does not parse yet is still being written: it is left for the next look.
        """
        folder = os.path.join(self.exchange or "", "face")
        if not self.exchange or not os.path.isdir(folder):
            return []
        out = []
        listing = sorted(os.listdir(folder))
        # Forget names no longer in face/ (the set stays bounded; a name may come back later).
        self.face_seen &= set(listing)
        for name in listing:
            if (name in self.face_seen or not name.startswith("OQSsiquc01res_face_")
                    or not name.endswith(".xml")):
                continue
            with open(os.path.join(folder, name), "rb") as handle:
                data = handle.read()
            if not complete_xml(data):
                continue
            root = parse_xml(data)
            results = root.findall("MessageBody/ResultList/ResultOfQualificationConfirmation")
            out.append(conclusion(root.find("MessageBody"), results, root.find("MessageHeader"),
                                  ["face/" + name]))
            self.face_seen.add(name)
        return out

    def header(self, facility, date=None, character_code=None):
        self.file_counter += 1
        return (element("QualificationConfirmationDate", date)
                + element("MedicalInstitutionCode", facility or self.facility)
                + element("ArbitraryFileIdentifier", "py-%06d" % self.file_counter)
                + element("CharacterCodeIdentifier", character_code))

    def send(self, message_id, body):
        """One message; a rejection becomes the conclusion 'shown verbatim, no validity'."""
        try:
            data, files = self.transport.exchange(message_id, body)
        except Rejected as rejected:
            return None, rejected, rejected.files
        return parse_xml(data), None, files

    def check_insurance_card(self, card, limit_consent, date=None, facility=None,
                             result_encoding=None):
        # 文字コード識別 1: the result comes in Shift_JIS (parse_xml decodes it).
        code = "1" if (result_encoding or "").lower() == "shift_jis" else None
        body = message_xml(self.header(facility, date, code), search_info(card, limit_consent))
        root, rejected, files = self.send("OQSsiquc01req", body)
        if rejected is not None:
            return {"candidates": [], "message": rejected.message, "error_code": rejected.code,
                    "files": files}
        results = root.findall("MessageBody/ResultList/ResultOfQualificationConfirmation")
        return conclusion(root.find("MessageBody"), results, root.find("MessageHeader"), files)

    def check_my_number_card(self, reader, method, pin, limit_consent, date=None, facility=None):
        """The confirmation terminal's screen (simulator-defined HTTP, docs/interface.md §2.6)."""
        request = {"method": "暗証番号" if method == "pin" else "目視確認", "reader": reader,
                   "show_limit": bool(limit_consent), "facility": facility or self.facility}
        if pin is not None:
            request["pin"] = pin
        if date:
            request["資格確認日"] = "%s/%s/%s" % (date[:4], date[4:6], date[6:8])
        answer = self.http_json("POST", "/terminal/mynumber", request)
        dialog = answer.get("dialog")
        if dialog:
            # The text on screen is the dialog's `message` (placeholder label + 【事象】 for the
            # dialogs the manual shows only as an image); never retry (ERR-13: PIN locked).
            return {"candidates": [], "message": dialog.get("message"),
                    "error_code": dialog.get("err") or dialog.get("id"), "files": []}
        root = parse_xml(answer["result_xml"].encode("utf-8"))
        results = root.findall("MessageBody/ResultList/ResultOfQualificationConfirmation")
        out = conclusion(root.find("MessageBody"), results, root.find("MessageHeader"))
        if answer.get("banner"):
            out["message"] = answer["banner"]
        return out

    def bulk_inquiry(self, rows, date=None, facility=None):
        body = message_xml(self.header(facility, date),
                           "".join(search_info(card, False) for card in rows))
        return self.bulk_job("OQSmuquc01req", "OQSmuquc02req", body, facility)

    def visiting_inquiry(self, card, care, date=None, facility=None):
        """訪問診療等・オンライン診療等 資格情報照会 (docs/interface.md §2.7): the single inquiry's
        request under the 診療区分's message id; RULE-33 (EQ0301) and a missing consent (EQ0302)
        come back as ProcessingResultStatus 2 and are shown verbatim."""
        message_id = "OQSsionq01req" if care == "オンライン診療等" else "OQSsihvq01req"
        body = message_xml(self.header(facility, date), search_info(card, False))
        root, rejected, files = self.send(message_id, body)
        if rejected is not None:
            return {"candidates": [], "message": rejected.message, "error_code": rejected.code,
                    "files": files}
        results = root.findall("MessageBody/ResultList/ResultOfQualificationConfirmation")
        return conclusion(root.find("MessageBody"), results, root.find("MessageHeader"), files)

    def cancel_visiting_consent(self, card, facility=None):
        """同意取消 (OQSsihvd01req, 訪問診療等 only): 処理が正常に完了しました。 or the refusal."""
        body = message_xml(self.header(facility), search_info(card, False))
        root, rejected, files = self.send("OQSsihvd01req", body)
        if rejected is not None:
            return {"candidates": [], "message": rejected.message, "error_code": rejected.code,
                    "files": files}
        if text_of(root, "MessageBody/ProcessingResultStatus") == "1":
            return {"candidates": [], "files": files,
                    "message": text_of(root, "MessageBody/ProcessingResultMessage")}
        return conclusion(root.find("MessageBody"), [], root.find("MessageHeader"), files)

    def visiting_bulk_inquiry(self, line, facility=None):
        """JOB-03: the date ranges and MedicalTreatmentFlag (2 訪問診療等, 3 オンライン診療等) only —
        the bulk asks for qualifications, never for medical information (RULE-56)."""
        online = line["care"] == "オンライン診療等"
        conditions = "".join(element(tag, line.get(key)) for tag, key in (
            ("ConsentDateFrom", "consent_from"), ("ConsentDateTo", "consent_to"),
            ("ExaminationDateFrom", "examination_from"), ("ExaminationDateTo", "examination_to")))
        conditions += element("MedicalTreatmentFlag", "3" if online else "2")
        body = message_xml(self.header(facility, line.get("confirmation_date")),
                           "<QualificationConfirmSearchInfo>%s</QualificationConfirmSearchInfo>"
                           % conditions)
        kind = "OQSmuonq" if online else "OQSmuhvq"
        return self.bulk_job(kind + "01req", kind + "02req", body, facility)

    def retrieve_prescription(self, card, number, facility=None):
        """処方箋取得 by 引換番号 (FLOW-17; the simulator's own route, docs/interface.md §2.7)."""
        payload = {"facility": facility or self.facility, "insurer": card["insurer_number"],
                   "symbol": card.get("symbol") or "", "number": card["number"],
                   "branch": card.get("branch") or "", "birthdate": card["birthdate"],
                   "exchange_number": number}
        request = urllib.request.Request(
            self.http_base + "/pharmacy/prescriptions/retrieve",
            data=json.dumps(payload).encode("utf-8"), method="POST",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                root = parse_xml(response.read())
                disposition = response.headers.get("Content-Disposition") or ""
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500:
                # The refusal's reason (RULE-25..28, ENV-04/05), shown verbatim.
                answer = json.loads(error.read().decode("utf-8") or "{}")
                return {"retrieved": False, "message": answer.get("error")}
            raise
        name = disposition.split('filename="')[-1].rstrip('"') if "filename=" in disposition else None
        return {"retrieved": True,
                "exchange_number": text_of(root, "MessageBody/PrescriptionInfo/ExchangeNumber"),
                "files": [name] if name else []}

    def bulk_job(self, submit, fetch_id, body, facility=None):
        """Submit, then fetch while SegmentOfResult is 2 (JOB-01 and JOB-03 alike)."""
        root, rejected, files = self.send(submit, body)
        if rejected is not None:
            return {"status": "照会失敗(%s)" % failure_label(rejected.message), "rows": [],
                    "files": files}
        reception = text_of(root, "MessageBody/ReceptionNumber")
        header = text_of(root, "MessageHeader/SegmentOfResult")
        if header == "9" or not reception:
            message = text_of(root, "MessageHeader/ErrorMessage") or ""
            return {"status": "照会失敗(%s)" % failure_label(message), "rows": [], "files": files}
        while True:
            fetch = message_xml(element("MedicalInstitutionCode", facility or self.facility),
                                element("ReceptionNumber", reception))
            root, rejected, more = self.send(fetch_id, fetch)
            files += more
            if rejected is not None:
                return {"status": "照会失敗(%s)" % failure_label(rejected.message),
                        "reception_number": reception, "rows": [], "files": files}
            segment = text_of(root, "MessageHeader/SegmentOfResult")
            if segment != "2":
                break
            time.sleep(POLL_INTERVAL)
        if segment == "9":
            message = text_of(root, "MessageHeader/ErrorMessage") or ""
            return {"status": "照会失敗(%s)" % failure_label(message),
                    "reception_number": reception, "rows": [], "files": files}
        out_rows = []
        for unit in root.findall("MessageBody/BulkConfirmUnit"):
            out_rows.append(conclusion(unit, unit.findall("ResultOfQualificationConfirmation")))
        needs_check = any(row.get("validity") != "有効" for row in out_rows)
        status = "照会完了（要確認）" if needs_check else "照会完了"
        return {"status": status, "reception_number": reception, "rows": out_rows,
                "files": files}

    def bulk_register(self, rows, facility=None):
        """照会番号一括登録 (JOB-02): OQSmuimm01req, then OQSmuimm02req while SegmentOfResult is 2."""
        body = message_xml(element("MedicalInstitutionCode", facility or self.facility),
                           "".join(registration_info(r["card"], r["reference_number"])
                                   for r in rows))
        root, rejected, _ = self.send("OQSmuimm01req", body)
        if rejected is not None:
            return {"status": "登録失敗(%s)" % failure_label(rejected.message), "rows": []}
        reception = text_of(root, "MessageBody/ReceptionNumber")
        if text_of(root, "MessageHeader/SegmentOfResult") == "9" or not reception:
            message = text_of(root, "MessageHeader/ErrorMessage") or ""
            return {"status": "登録失敗(%s)" % failure_label(message), "rows": []}
        while True:
            fetch = message_xml(element("MedicalInstitutionCode", facility or self.facility),
                                element("ReceptionNumber", reception))
            root, rejected, _ = self.send("OQSmuimm02req", fetch)
            if rejected is not None:
                return {"status": "登録失敗(%s)" % failure_label(rejected.message),
                        "reception_number": reception, "rows": []}
            segment = text_of(root, "MessageHeader/SegmentOfResult")
            if segment != "2":
                break
            time.sleep(POLL_INTERVAL)
        if segment == "9":
            message = text_of(root, "MessageHeader/ErrorMessage") or ""
            return {"status": "登録失敗(%s)" % failure_label(message),
                    "reception_number": reception, "rows": []}
        out_rows = []
        for unit in root.findall("MessageBody/BulkRegistrationUnit"):
            if text_of(unit, "ProcessingResultStatus") == "1":
                out_rows.append({"registered": True, "message": REGISTERED})
            else:
                out_rows.append({"registered": False,
                                 "message": text_of(unit, "ProcessingResultMessage"),
                                 "error_code": text_of(unit, "ProcessingResultCode")})
        done = all(row["registered"] for row in out_rows)
        return {"status": "登録完了" if done else "登録完了（要確認）",
                "reception_number": reception, "rows": out_rows}

    def register_reference_number(self, card, number, facility=None):
        info = registration_info(card, number)
        root, rejected, _ = self.send(
            "OQSsiimm01req", message_xml(element("MedicalInstitutionCode", facility or self.facility), info))
        if rejected is not None:
            return {"registered": False, "message": rejected.message, "error_code": rejected.code}
        if text_of(root, "MessageHeader/SegmentOfResult") == "9":
            return {"registered": False, "message": text_of(root, "MessageHeader/ErrorMessage"),
                    "error_code": text_of(root, "MessageHeader/ErrorCode")}
        if text_of(root, "MessageBody/ProcessingResultStatus") != "1":
            return {"registered": False,
                    "message": text_of(root, "MessageBody/ProcessingResultMessage"),
                    "error_code": text_of(root, "MessageBody/ProcessingResultCode")}
        return {"registered": True, "message": REGISTERED}

    def http_json(self, method, path, payload):
        request = urllib.request.Request(
            self.http_base + path, data=json.dumps(payload).encode("utf-8"), method=method,
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise ClientError("%s %s: HTTP %d %s" % (method, path, error.code,
                                                   error.read().decode("utf-8", "replace")))


def failure_label(message):
    """照会失敗(…): the error message up to its first 「（」 or 「：」 (e.g. 処理上限エラー)."""
    return re.split("[（：]", message, maxsplit=1)[0]


# ---- the adapter: JSON lines between the runner and the client -------------------------------

class Adapter:
    def __init__(self, transport_name):
        self.transport_name = transport_name
        self.client = None

    def handle(self, line):
        action = line["action"]
        if action == "hello":
            simulator = line["simulator"]
            if self.transport_name == "exchange":
                transport = ExchangeTransport(simulator["exchange"])
            elif self.transport_name == "webapi":
                transport = WebApiTransport(simulator["http"], simulator.get("webapi"))
            else:
                transport = HttpTransport(simulator["http"])
            self.client = Client(transport, simulator["http"], simulator["facility"],
                                 simulator.get("exchange"))
            return {"kind": "hello", "client": "python-sample-adapter", "version": "0.1.0",
                    "transport": transport.name}
        if action == "shutdown":
            return {"kind": "bye"}
        client = self.client
        if client is None:
            raise ClientError("%s before hello" % action)
        date, facility = line.get("confirmation_date"), line.get("facility")
        if action == "check_insurance_card":
            result = client.check_insurance_card(line["card"], line["limit_consent"], date, facility,
                                                 line.get("result_encoding"))
            return dict(result, kind="confirmation")
        if action == "check_my_number_card":
            result = client.check_my_number_card(line["reader"], line["method"], line.get("pin"),
                                                 line["limit_consent"], date, facility)
            return dict(result, kind="confirmation")
        if action == "bulk_inquiry":
            return dict(client.bulk_inquiry(line["rows"], date, facility), kind="bulk")
        if action == "register_reference_number":
            result = client.register_reference_number(line["card"], line["reference_number"],
                                                      facility)
            return dict(result, kind="registration")
        if action == "bulk_register_reference_numbers":
            return dict(client.bulk_register(line["rows"], facility), kind="bulk_registration")
        if action == "visiting_inquiry":
            result = client.visiting_inquiry(line["card"], line["care"], date, facility)
            return dict(result, kind="confirmation")
        if action == "cancel_visiting_consent":
            return dict(client.cancel_visiting_consent(line["card"], facility),
                        kind="confirmation")
        if action == "visiting_bulk_inquiry":
            return dict(client.visiting_bulk_inquiry(line, facility), kind="bulk")
        if action == "retrieve_prescription":
            result = client.retrieve_prescription(line["card"], line["exchange_number"], facility)
            return dict(result, kind="prescription")
        if action == "face_results":
            return {"kind": "face", "results": client.face_results()}
        raise ClientError("unknown action %r" % action)

    def run(self, stdin, stdout):
        for raw in stdin:
            if not raw.strip():
                continue
            request = json.loads(raw)
            reply = {"id": request.get("id")}
            try:
                reply.update(ok=True, outcome=self.handle(request))
            except Exception as error:  # the adapter failed, not the client's conclusion
                log("adapter error on %s: %r" % (request.get("action"), error))
                reply.update(ok=False, error="%s: %s" % (type(error).__name__, error))
            stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
            stdout.flush()
            if request.get("action") == "shutdown":
                return


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transport", choices=["http", "exchange", "webapi"], default="http")
    args = parser.parse_args()
    stdin = open(sys.stdin.fileno(), "r", encoding="utf-8", closefd=False)
    stdout = open(sys.stdout.fileno(), "w", encoding="utf-8", closefd=False)
    Adapter(args.transport).run(stdin, stdout)


if __name__ == "__main__":
    main()
