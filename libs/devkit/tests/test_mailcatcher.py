"""The local mail catcher of ``make up`` keeps what it is sent and shows it over HTTP."""

from __future__ import annotations

import asyncio
import sys
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx

from devkit.testing.channels import free_port


async def test_the_mail_catcher_keeps_each_message_and_lists_it(tmp_path: Path) -> None:
    smtp, web = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "devkit.local.mailcatcher",
        "--smtp-port",
        str(smtp),
        "--http-port",
        str(web),
        "--dir",
        str(tmp_path / "mail"),
    )
    try:
        async with httpx.AsyncClient() as http:
            for _ in range(100):
                try:
                    await http.get(f"http://127.0.0.1:{web}/")
                    break
                except httpx.HTTPError:
                    await asyncio.sleep(0.05)
            message = EmailMessage()
            message["From"], message["To"] = "notices@concord.invalid", "li.na@example.cn"
            message["Subject"] = "入会申请已收到：工业互联网产业联盟"
            message.set_content("星海科技有限公司的入会申请已提交。")
            await aiosmtplib.send(message, hostname="127.0.0.1", port=smtp)
            page = (await http.get(f"http://127.0.0.1:{web}/")).text
            assert "入会申请已收到：工业互联网产业联盟" in page and "li.na@example.cn" in page
            (kept,) = (tmp_path / "mail").glob("*.eml")
            shown = await http.get(f"http://127.0.0.1:{web}/{kept.name}")
            assert shown.content == kept.read_bytes()
            assert "星海科技有限公司" in message.get_content()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 10)
