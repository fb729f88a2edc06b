"""The papers of a 维修基金 payout: the bank's payment voucher (凭证号) and the contractor's invoice (发票号), each
with its number and its scanned file. A payout is refused without both; the files are checked by their content
(a PDF, a JPEG or a PNG, at most MAX_BYTES) and kept under the instance folder with names of our own, never in
static/; only those who may see the application download them.

The files live in paper_folder(): the FUND_PAPER_FOLDER setting, else instance/fund_papers."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext

from app.billing.models import FUND_PAPER_KINDS, FundApplication, FundPaper
from app.core import clock, files
from app.core.rules import Actor, RuleViolation, check_text, raise_if
from app.extensions import db

MAX_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
NUMBER_FIELDS = {"voucher": "payout_voucher_no", "invoice": "invoice_no"}
FILE_FIELDS = {"voucher": "voucher_file", "invoice": "invoice_file"}


def paper_folder() -> str:
    return current_app.config.get("FUND_PAPER_FOLDER") or os.path.join(current_app.instance_path, "fund_papers")


@dataclass
class Upload:
    filename: str
    data: bytes


def file_problem(filename: str, data: bytes) -> tuple[str | None, tuple[str, str] | None]:
    """(what is wrong, None) or (None, (content type, extension)): a PDF by its content, or a JPEG or PNG
    picture (community photos' check), at most MAX_BYTES."""
    if not data:
        return gettext("Please choose the scanned file."), None
    if len(data) > MAX_BYTES:
        return gettext("The file is %(size)s MB; at most %(max)d MB can be uploaded.",
                       size=f"{len(data) / 1024 / 1024:.1f}", max=MAX_BYTES // (1024 * 1024)), None
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".pdf":
        if not data.startswith(PDF_MAGIC) or b"%%EOF" not in data[-2048:]:
            return gettext("The file is not a PDF (its content is not one), or it is damaged."), None
        return None, ("application/pdf", ".pdf")
    if ext not in (".jpg", ".jpeg", ".png"):
        return gettext("Only a PDF, JPEG or PNG scan (.pdf, .jpg, .jpeg, .png) can be uploaded."), None
    from app.community.services import PHOTO_TYPES, image_problem

    problem, info = image_problem(filename, data)
    return (problem, None) if problem else (None, PHOTO_TYPES[info[0]])


def check_papers(values: dict, uploads: dict) -> dict:
    """The payout's papers from the form: {kind: (number, Upload, (content type, extension))}; RuleViolation
    names each missing or bad number or file."""
    errors: dict = {}
    out = {}
    for kind, label in FUND_PAPER_KINDS.items():
        number_field, file_field = NUMBER_FIELDS[kind], FILE_FIELDS[kind]
        check_text(errors, values, number_field, gettext("%(paper)s no.", paper=label), 40)
        upload = uploads.get(file_field)
        problem, info = file_problem(upload.filename if upload else "", upload.data if upload else b"")
        if problem:
            errors[file_field] = f"{label}：{problem}"
        if number_field not in errors and file_field not in errors:
            out[kind] = (str(values.get(number_field)).strip(), upload, info)
    raise_if(errors)
    return out


def store(application: FundApplication, papers: dict, actor: Actor) -> list[str]:
    """Write the checked papers' files under paper_folder() and their rows (flushed); returns the stored names, which
    the caller removes (remove_files) if its commit fails."""
    folder = paper_folder()
    files.private_dir(folder)
    stored = []
    try:
        for kind, (number, upload, (content_type, ext)) in papers.items():
            name = uuid.uuid4().hex + ext
            tmp = os.path.join(folder, name + ".part")
            with files.private_file(tmp) as fh:
                fh.write(upload.data)
            os.replace(tmp, os.path.join(folder, name))
            stored.append(name)
            db.session.add(FundPaper(application_id=application.id, kind=kind, number=number, stored_name=name,
                                     original_name=os.path.basename(upload.filename)[:200] or name,
                                     content_type=content_type, size=len(upload.data), uploaded_by=actor.name,
                                     uploaded_at=clock.now()))
        db.session.flush()
    except Exception:
        remove_files(folder, stored)
        raise
    return stored


def remove_files(where: str, names: list[str]) -> None:
    for name in names:
        try:
            os.remove(os.path.join(where, os.path.basename(name)))
        except FileNotFoundError:
            pass


def paper_path(paper: FundPaper) -> str:
    return os.path.join(paper_folder(), os.path.basename(paper.stored_name))


def get_paper(paper_id) -> FundPaper:
    paper = db.session.get(FundPaper, paper_id)
    if paper is None:
        raise RuleViolation({"": gettext("There is no such file.")})
    return paper
