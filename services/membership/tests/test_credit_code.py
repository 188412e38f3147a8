from membership import credit_code

# Published codes of well-known companies (Huawei, Tencent, Xiaomi, Alibaba).
VALID = ["914403001922038216", "9144030071526726XG", "91110108551385082Q", "91330100799655058B"]


def test_completed_codes_are_valid() -> None:
    code = credit_code.complete("9111010857318640")
    assert credit_code.problem(code) is None
    assert len(code) == 18


def test_known_valid_codes() -> None:
    for code in VALID:
        assert credit_code.problem(code) is None, code


def test_changed_check_character_is_refused() -> None:
    code = credit_code.complete("9111010857318640")
    wrong = code[:17] + ("0" if code[17] != "0" else "1")
    assert "check character (position 18)" in (credit_code.problem(wrong) or "")


def test_changed_body_character_is_refused() -> None:
    code = credit_code.complete("9111010857318640")
    changed = code[:3] + ("2" if code[3] != "2" else "3") + code[4:]
    assert credit_code.problem(changed) is not None


def test_length_and_alphabet() -> None:
    assert "18 characters" in (credit_code.problem("91110000") or "")
    assert "not allowed" in (credit_code.problem("91110000I00000589B") or "")
