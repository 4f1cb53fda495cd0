//! What the robot says and shows, in each locale: the reasons the standard
//! lot gives and their default lines (zh-CN from the seed manual), as tables
//! indexed by reason and direction.

use boomgate_rules_sdk::prelude::*;

/// The reasons the standard lot gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Say {
    MonthlyPassValid,
    UnplatedEntry,
    MonthlyPassExpiredRenew,
    VisitorConfirmationRequired,
    VisitorWelcome,
    SharedSpacesFull,
    SharedSpacesFullVisitor,
    MonthlyPassExpiredReminder,
    MonthlyPassLapsed,
    UnplatedExit,
    PaymentRequired,
    Paid,
    FreePeriod,
    PickAutopay,
    NoEntryRecord,
    /// Leaving a stay billed `free` (an exempted vehicle, say).
    FreeStay,
    /// An agent let an expired pass in (as a temporary stay) or out.
    MonthlyPassExpiredAgentOpen,
    /// An entry of a plate whose earlier stay is still open, held for an
    /// agent (`missed_exit: hold`).
    OpenStayAtEntry,
    /// A read with no plate while the gate's plate camera is reported down,
    /// held with a code the driver scans (`lpr_camera_down`).
    LprCameraDown,
}

const REASONS: usize = 19;

/// Reason code for an entry held because the plate's earlier stay is open.
pub const OPEN_STAY_AT_ENTRY: &str = "open_stay_at_entry";

/// Reason code for an expired pass an agent let through.
pub const MONTHLY_PASS_EXPIRED_AGENT_OPEN: &str = "monthly_pass_expired_agent_open";

/// Reason code for leaving a stay billed `free`.
pub const FREE_STAY: &str = "free_stay";

/// Reason code for a read with no plate held because the gate's
/// licence-plate camera is reported down.
pub const LPR_CAMERA_DOWN: &str = "lpr_camera_down";

impl Say {
    /// The reason code.
    pub fn code(self) -> &'static str {
        match self {
            Say::MonthlyPassValid => reason::MONTHLY_PASS_VALID,
            Say::UnplatedEntry => reason::UNPLATED_ENTRY,
            Say::MonthlyPassExpiredRenew => reason::MONTHLY_PASS_EXPIRED_RENEW,
            Say::VisitorConfirmationRequired => reason::VISITOR_CONFIRMATION_REQUIRED,
            Say::VisitorWelcome => reason::VISITOR_WELCOME,
            Say::SharedSpacesFull => reason::SHARED_SPACES_FULL,
            Say::SharedSpacesFullVisitor => reason::SHARED_SPACES_FULL_VISITOR,
            Say::MonthlyPassExpiredReminder => reason::MONTHLY_PASS_EXPIRED_REMINDER,
            Say::MonthlyPassLapsed => reason::MONTHLY_PASS_LAPSED,
            Say::UnplatedExit => reason::UNPLATED_EXIT,
            Say::PaymentRequired => reason::PAYMENT_REQUIRED,
            Say::Paid => reason::PAID,
            Say::FreePeriod => reason::FREE_PERIOD,
            Say::PickAutopay => reason::PICK_AUTOPAY,
            Say::NoEntryRecord => reason::NO_ENTRY_RECORD,
            Say::FreeStay => FREE_STAY,
            Say::MonthlyPassExpiredAgentOpen => MONTHLY_PASS_EXPIRED_AGENT_OPEN,
            Say::OpenStayAtEntry => OPEN_STAY_AT_ENTRY,
            Say::LprCameraDown => LPR_CAMERA_DOWN,
        }
    }

    /// The default line at `direction` in `locale`.
    pub fn line(self, locale: Locale, direction: Direction) -> &'static str {
        let table = match locale {
            Locale::ZhCn => &ZH_CN,
            Locale::KoKr => &KO_KR,
            Locale::En => &EN,
        };
        table[direction as usize][self as usize]
    }
}

/// The reasons given at each direction; a `voice` override key is one of
/// them, bare or prefixed by its direction.
#[cfg(test)]
const SPOKEN: [&[Say]; 2] = [
    &[
        Say::MonthlyPassValid,
        Say::UnplatedEntry,
        Say::MonthlyPassExpiredRenew,
        Say::VisitorConfirmationRequired,
        Say::VisitorWelcome,
        Say::SharedSpacesFull,
        Say::SharedSpacesFullVisitor,
        Say::MonthlyPassExpiredAgentOpen,
        Say::OpenStayAtEntry,
        Say::LprCameraDown,
    ],
    &[
        Say::MonthlyPassValid,
        Say::MonthlyPassExpiredReminder,
        Say::MonthlyPassExpiredRenew,
        Say::MonthlyPassLapsed,
        Say::UnplatedExit,
        Say::PaymentRequired,
        Say::Paid,
        Say::FreePeriod,
        Say::PickAutopay,
        Say::NoEntryRecord,
        Say::FreeStay,
        Say::MonthlyPassExpiredAgentOpen,
        Say::LprCameraDown,
    ],
];

/// Every key a `voice` override may have.
pub const VOICE_KEYS: &[&str] = &[
    "monthly_pass_valid",
    "unplated_entry",
    "monthly_pass_expired_renew",
    "visitor_confirmation_required",
    "visitor_welcome",
    "shared_spaces_full",
    "shared_spaces_full_visitor",
    "monthly_pass_expired_agent_open",
    "open_stay_at_entry",
    "lpr_camera_down",
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
    "entry.monthly_pass_expired_agent_open",
    "entry.open_stay_at_entry",
    "entry.lpr_camera_down",
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
    "exit.monthly_pass_expired_agent_open",
    "exit.lpr_camera_down",
];

/// Lines by direction (entry, exit) and reason, in `Say` order. Reasons a
/// direction never gives have no line.
type Lines = [[&'static str; REASONS]; 2];

const ZH_CN: Lines = [
    [
        "欢迎回家",
        "您的车牌无法识别，请扫码后开闸进场，出场前请在出口处扫码出场",
        "您的月卡已过期，请扫码缴费后进场",
        "该停车场不允许临停车辆进场，有需请联系管理处",
        "欢迎光临",
        "您的共享车位已满，该车场不允许临停车辆进场，有需请联系管理处",
        "欢迎光临",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "欢迎回家",
        "系统中您的车辆尚有未出场记录，正在为您联系客服",
        "车牌识别暂时无法使用，请扫码后开闸进场，出场前请在出口处扫码出场",
    ],
    [
        "一路平安",
        "",
        "您的月卡已过期，请扫码缴费",
        "",
        "",
        "",
        "",
        "您的月卡已过期，注意及时缴费",
        "您的月卡超期未缴费，请联系管理处重新排队申请月卡",
        "无牌车请扫码付费后出场",
        "请扫码缴费后出场",
        "一路平安",
        "一路平安",
        "一路平安",
        "未找到您的入场记录，正在为您联系客服",
        "一路平安",
        "一路平安",
        "",
        "车牌识别暂时无法使用，请扫码缴费后出场",
    ],
];

const KO_KR: Lines = [
    [
        "환영합니다",
        "차량 번호를 인식할 수 없습니다. QR 코드를 스캔한 후 입차해 주시고, 출차 전에 출구에서 QR 코드를 스캔해 주세요",
        "정기권이 만료되었습니다. QR 코드를 스캔하여 결제한 후 입차해 주세요",
        "이 주차장은 방문 차량의 입차를 허용하지 않습니다. 필요하시면 관리사무소에 문의해 주세요",
        "어서 오세요",
        "공유 주차면이 모두 사용 중이며, 이 주차장은 방문 차량의 입차를 허용하지 않습니다. 필요하시면 관리사무소에 문의해 주세요",
        "어서 오세요",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "환영합니다",
        "이 차량의 출차 기록이 없는 주차 기록이 있어 상담원을 연결해 드리겠습니다",
        "차량 번호 인식을 일시적으로 사용할 수 없습니다. QR 코드를 스캔한 후 입차해 주시고, 출차 전에 출구에서 QR 코드를 스캔해 주세요",
    ],
    [
        "안녕히 가세요",
        "",
        "정기권이 만료되었습니다. QR 코드를 스캔하여 결제해 주세요",
        "",
        "",
        "",
        "",
        "정기권이 만료되었습니다. 기한 내에 결제해 주세요",
        "정기권 결제 기한이 지났습니다. 관리사무소에 정기권을 다시 신청해 주세요",
        "번호판이 없는 차량은 QR 코드를 스캔하여 결제한 후 출차해 주세요",
        "QR 코드를 스캔하여 결제한 후 출차해 주세요",
        "안녕히 가세요",
        "안녕히 가세요",
        "안녕히 가세요",
        "입차 기록을 찾을 수 없습니다. 상담원을 연결해 드리겠습니다",
        "안녕히 가세요",
        "안녕히 가세요",
        "",
        "차량 번호 인식을 일시적으로 사용할 수 없습니다. QR 코드를 스캔하여 결제한 후 출차해 주세요",
    ],
];

const EN: Lines = [
    [
        "Welcome home",
        "Your plate cannot be read. Please scan the code to enter, and scan the code at the exit before you leave",
        "Your monthly pass has expired. Please scan the code to renew it before entering",
        "This car park does not admit visitors. Please contact the management office if you need to enter",
        "Welcome",
        "Your shared spaces are all taken and this car park does not admit visitors. Please contact the management office",
        "Welcome",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "Welcome home",
        "This car's last stay was never closed. Connecting you to an agent",
        "Plate recognition is unavailable. Please scan the code to enter, and scan the code at the exit before you leave",
    ],
    [
        "Have a safe journey",
        "",
        "Your monthly pass has expired. Please scan the code to renew it",
        "",
        "",
        "",
        "",
        "Your monthly pass has expired. Please renew it soon",
        "Your monthly pass is long overdue. Please ask the management office to apply again",
        "No plate read: please scan the code to pay before you leave",
        "Please scan the code to pay before you leave",
        "Have a safe journey",
        "Have a safe journey",
        "Have a safe journey",
        "We cannot find your entry record. Connecting you to an agent",
        "Have a safe journey",
        "Have a safe journey",
        "",
        "Plate recognition is unavailable. Please scan the code to pay before you leave",
    ],
];

/// The visitor policy as an agent reads it to a caller.
pub fn visitor_policy(locale: Locale, confirmation: bool) -> &'static str {
    match (locale, confirmation) {
        (Locale::ZhCn, true) => "该车场禁止临停车辆进场，访客须经管理处确认后由客服登记放行",
        (Locale::ZhCn, false) => "该车场允许临停车辆进场，按临停收费",
        (Locale::KoKr, true) => {
            "방문 차량은 관리사무소 확인 후 상담원이 등록해야 입차할 수 있습니다"
        }
        (Locale::KoKr, false) => "방문 차량도 입차할 수 있으며 일반 주차 요금이 부과됩니다",
        (Locale::En, true) => {
            "Visitors may enter only once the management office confirms them and an agent registers them"
        }
        (Locale::En, false) => "Visitors may enter and pay the temporary fee",
    }
}

/// What the display says when it shows text.
pub fn display_text(locale: Locale, say: Say) -> &'static str {
    match (locale, say) {
        (Locale::ZhCn, Say::VisitorConfirmationRequired) => "该车场禁止临停",
        (Locale::ZhCn, Say::OpenStayAtEntry) => "存在未出场记录",
        (Locale::ZhCn, _) => "未找到入场记录",
        (Locale::KoKr, Say::VisitorConfirmationRequired) => "방문 차량 입차 불가",
        (Locale::KoKr, Say::OpenStayAtEntry) => "미출차 기록 있음",
        (Locale::KoKr, _) => "입차 기록 없음",
        (Locale::En, Say::VisitorConfirmationRequired) => "No visitor parking",
        (Locale::En, Say::OpenStayAtEntry) => "Open stay on record",
        (Locale::En, _) => "No entry record",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_spoken_has_a_line_in_every_locale() {
        for locale in Locale::ALL {
            for direction in [Direction::Entry, Direction::Exit] {
                for say in SPOKEN[direction as usize] {
                    assert!(
                        !say.line(locale, direction).is_empty(),
                        "{locale} {direction:?} {say:?}"
                    );
                }
            }
        }
        assert_eq!(
            Say::PaymentRequired.line(Locale::ZhCn, Direction::Exit),
            "请扫码缴费后出场"
        );
        assert_eq!(
            Say::MonthlyPassValid.line(Locale::ZhCn, Direction::Entry),
            "欢迎回家"
        );
        assert_eq!(
            Say::MonthlyPassValid.line(Locale::ZhCn, Direction::Exit),
            "一路平安"
        );
    }

    #[test]
    fn voice_keys_are_the_reasons_and_their_qualified_forms() {
        let mut expected: Vec<String> = Vec::new();
        for say in SPOKEN.iter().flat_map(|s| s.iter()) {
            if !expected.contains(&say.code().to_owned()) {
                expected.push(say.code().to_owned());
            }
        }
        for (prefix, spoken) in [("entry", SPOKEN[0]), ("exit", SPOKEN[1])] {
            expected.extend(spoken.iter().map(|s| format!("{prefix}.{}", s.code())));
        }
        assert_eq!(
            VOICE_KEYS,
            expected.iter().map(String::as_str).collect::<Vec<_>>()
        );
    }
}
