//! What the robot says and shows, in each locale: the default lines of the
//! standard lot (zh-CN from the seed manual), a table by direction and reason.

use boomgate_rules_sdk::prelude::*;

/// Reason code for leaving a stay billed `free` (an exempted vehicle, say).
pub const FREE_STAY: &str = "free_stay";

/// The reasons the policy speaks at an entry.
#[cfg(test)]
const ENTRY_REASONS: &[&str] = &[
    reason::MONTHLY_PASS_VALID,
    reason::UNPLATED_ENTRY,
    reason::MONTHLY_PASS_EXPIRED_RENEW,
    reason::VISITOR_CONFIRMATION_REQUIRED,
    reason::VISITOR_WELCOME,
    reason::SHARED_SPACES_FULL,
    reason::SHARED_SPACES_FULL_VISITOR,
];

/// The reasons the policy speaks at an exit.
#[cfg(test)]
const EXIT_REASONS: &[&str] = &[
    reason::MONTHLY_PASS_VALID,
    reason::MONTHLY_PASS_EXPIRED_REMINDER,
    reason::MONTHLY_PASS_EXPIRED_RENEW,
    reason::MONTHLY_PASS_LAPSED,
    reason::UNPLATED_EXIT,
    reason::PAYMENT_REQUIRED,
    reason::PAID,
    reason::FREE_PERIOD,
    reason::PICK_AUTOPAY,
    reason::NO_ENTRY_RECORD,
    FREE_STAY,
];

/// Every key a `voice` override may have: a reason (both directions) or a
/// direction and a reason.
pub const VOICE_KEYS: &[&str] = &[
    "monthly_pass_valid",
    "unplated_entry",
    "monthly_pass_expired_renew",
    "visitor_confirmation_required",
    "visitor_welcome",
    "shared_spaces_full",
    "shared_spaces_full_visitor",
    "monthly_pass_expired_reminder",
    "monthly_pass_lapsed",
    "unplated_exit",
    "payment_required",
    "paid",
    "free_period",
    "pick_autopay",
    "no_entry_record",
    "free_stay",
    "entry.monthly_pass_valid",
    "entry.unplated_entry",
    "entry.monthly_pass_expired_renew",
    "entry.visitor_confirmation_required",
    "entry.visitor_welcome",
    "entry.shared_spaces_full",
    "entry.shared_spaces_full_visitor",
    "exit.monthly_pass_valid",
    "exit.monthly_pass_expired_reminder",
    "exit.monthly_pass_expired_renew",
    "exit.monthly_pass_lapsed",
    "exit.unplated_exit",
    "exit.payment_required",
    "exit.paid",
    "exit.free_period",
    "exit.pick_autopay",
    "exit.no_entry_record",
    "exit.free_stay",
];

/// The default voice line for `reason` at `direction` in `locale`.
pub fn default_line(locale: Locale, direction: Direction, reason: &str) -> &'static str {
    use Direction::{Entry, Exit};
    match (locale, direction, reason) {
        (Locale::ZhCn, Entry, "monthly_pass_valid") => "欢迎回家",
        (Locale::ZhCn, Entry, "unplated_entry") => {
            "您的车牌无法识别，请扫码后开闸进场，出场前请在出口处扫码出场"
        }
        (Locale::ZhCn, Entry, "monthly_pass_expired_renew") => "您的月卡已过期，请扫码缴费后进场",
        (Locale::ZhCn, Entry, "visitor_confirmation_required") => {
            "该停车场不允许临停车辆进场，有需请联系管理处"
        }
        (Locale::ZhCn, Entry, "visitor_welcome" | "shared_spaces_full_visitor") => "欢迎光临",
        (Locale::ZhCn, Entry, "shared_spaces_full") => {
            "您的共享车位已满，该车场不允许临停车辆进场，有需请联系管理处"
        }
        (Locale::ZhCn, Exit, "monthly_pass_expired_reminder") => "您的月卡已过期，注意及时缴费",
        (Locale::ZhCn, Exit, "monthly_pass_expired_renew") => "您的月卡已过期，请扫码缴费",
        (Locale::ZhCn, Exit, "monthly_pass_lapsed") => {
            "您的月卡超期未缴费，请联系管理处重新排队申请月卡"
        }
        (Locale::ZhCn, Exit, "unplated_exit") => "无牌车请扫码付费后出场",
        (Locale::ZhCn, Exit, "payment_required") => "请扫码缴费后出场",
        (Locale::ZhCn, Exit, "no_entry_record") => "未找到您的入场记录，正在为您联系客服",
        (Locale::ZhCn, Exit, _) => "一路平安",

        (Locale::KoKr, Entry, "monthly_pass_valid") => "환영합니다",
        (Locale::KoKr, Entry, "unplated_entry") => {
            "차량 번호를 인식할 수 없습니다. QR 코드를 스캔한 후 입차해 주시고, 출차 전에 출구에서 QR 코드를 스캔해 주세요"
        }
        (Locale::KoKr, Entry, "monthly_pass_expired_renew") => {
            "정기권이 만료되었습니다. QR 코드를 스캔하여 결제한 후 입차해 주세요"
        }
        (Locale::KoKr, Entry, "visitor_confirmation_required") => {
            "이 주차장은 방문 차량의 입차를 허용하지 않습니다. 필요하시면 관리사무소에 문의해 주세요"
        }
        (Locale::KoKr, Entry, "visitor_welcome" | "shared_spaces_full_visitor") => "어서 오세요",
        (Locale::KoKr, Entry, "shared_spaces_full") => {
            "공유 주차면이 모두 사용 중이며, 이 주차장은 방문 차량의 입차를 허용하지 않습니다. 필요하시면 관리사무소에 문의해 주세요"
        }
        (Locale::KoKr, Exit, "monthly_pass_expired_reminder") => {
            "정기권이 만료되었습니다. 기한 내에 결제해 주세요"
        }
        (Locale::KoKr, Exit, "monthly_pass_expired_renew") => {
            "정기권이 만료되었습니다. QR 코드를 스캔하여 결제해 주세요"
        }
        (Locale::KoKr, Exit, "monthly_pass_lapsed") => {
            "정기권 결제 기한이 지났습니다. 관리사무소에 정기권을 다시 신청해 주세요"
        }
        (Locale::KoKr, Exit, "unplated_exit") => {
            "번호판이 없는 차량은 QR 코드를 스캔하여 결제한 후 출차해 주세요"
        }
        (Locale::KoKr, Exit, "payment_required") => "QR 코드를 스캔하여 결제한 후 출차해 주세요",
        (Locale::KoKr, Exit, "no_entry_record") => {
            "입차 기록을 찾을 수 없습니다. 상담원을 연결해 드리겠습니다"
        }
        (Locale::KoKr, Exit, _) => "안녕히 가세요",

        (Locale::En, Entry, "monthly_pass_valid") => "Welcome home",
        (Locale::En, Entry, "unplated_entry") => {
            "Your plate cannot be read. Please scan the code to enter, and scan the code at the exit before you leave"
        }
        (Locale::En, Entry, "monthly_pass_expired_renew") => {
            "Your monthly pass has expired. Please scan the code to renew it before entering"
        }
        (Locale::En, Entry, "visitor_confirmation_required") => {
            "This car park does not admit visitors. Please contact the management office if you need to enter"
        }
        (Locale::En, Entry, "visitor_welcome" | "shared_spaces_full_visitor") => "Welcome",
        (Locale::En, Entry, "shared_spaces_full") => {
            "Your shared spaces are all taken and this car park does not admit visitors. Please contact the management office"
        }
        (Locale::En, Exit, "monthly_pass_expired_reminder") => {
            "Your monthly pass has expired. Please renew it soon"
        }
        (Locale::En, Exit, "monthly_pass_expired_renew") => {
            "Your monthly pass has expired. Please scan the code to renew it"
        }
        (Locale::En, Exit, "monthly_pass_lapsed") => {
            "Your monthly pass is long overdue. Please ask the management office to apply again"
        }
        (Locale::En, Exit, "unplated_exit") => {
            "No plate read: please scan the code to pay before you leave"
        }
        (Locale::En, Exit, "payment_required") => "Please scan the code to pay before you leave",
        (Locale::En, Exit, "no_entry_record") => {
            "We cannot find your entry record. Connecting you to an agent"
        }
        (Locale::En, Exit, _) => "Have a safe journey",

        // Entry reasons not listed above do not occur; say nothing rather
        // than something wrong.
        (_, Entry, _) => "",
    }
}

/// What the display says when it shows text.
pub fn display_text(locale: Locale, reason: &str) -> &'static str {
    match (locale, reason) {
        (Locale::ZhCn, "visitor_confirmation_required") => "该车场禁止临停",
        (Locale::ZhCn, _) => "未找到入场记录",
        (Locale::KoKr, "visitor_confirmation_required") => "방문 차량 입차 불가",
        (Locale::KoKr, _) => "입차 기록 없음",
        (Locale::En, "visitor_confirmation_required") => "No visitor parking",
        (Locale::En, _) => "No entry record",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_a_line_in_every_locale() {
        for locale in Locale::ALL {
            for (direction, reasons) in [
                (Direction::Entry, ENTRY_REASONS),
                (Direction::Exit, EXIT_REASONS),
            ] {
                for reason in reasons {
                    assert!(
                        !default_line(locale, direction, reason).is_empty(),
                        "{locale} {direction:?} {reason}"
                    );
                }
            }
        }
    }

    #[test]
    fn voice_keys_are_the_reasons_and_their_qualified_forms() {
        let mut expected: Vec<String> = Vec::new();
        for r in ENTRY_REASONS.iter().chain(EXIT_REASONS) {
            if !expected.contains(&r.to_string()) {
                expected.push(r.to_string());
            }
        }
        expected.extend(ENTRY_REASONS.iter().map(|r| format!("entry.{r}")));
        expected.extend(EXIT_REASONS.iter().map(|r| format!("exit.{r}")));
        assert_eq!(
            VOICE_KEYS,
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }
}
