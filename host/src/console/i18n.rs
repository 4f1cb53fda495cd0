//! The console's words in its three languages. One row per message, with
//! its zh-CN, ko-KR and en text: the compiler sees that every message has
//! all three, and a test that their `{placeholders}` agree.

/// A person's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    ZhCn,
    KoKr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 3] = [Locale::ZhCn, Locale::KoKr, Locale::En];

    /// The stored name (`people.locale`), falling back to zh-CN.
    pub fn of(name: &str) -> Locale {
        Locale::parse(name).unwrap_or(Locale::ZhCn)
    }

    pub fn parse(name: &str) -> Option<Locale> {
        match name {
            "zh-CN" => Some(Locale::ZhCn),
            "ko-KR" => Some(Locale::KoKr),
            "en" => Some(Locale::En),
            _ => None,
        }
    }

    /// The first of an `Accept-Language` header's languages we speak.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        header
            .split(',')
            .map(|part| {
                part.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .find_map(|tag| match tag.split('-').next() {
                Some("zh") => Some(Locale::ZhCn),
                Some("ko") => Some(Locale::KoKr),
                Some("en") => Some(Locale::En),
                _ => None,
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::KoKr => "ko-KR",
            Locale::En => "en",
        }
    }

    /// The language's own name, for the picker.
    pub fn endonym(self) -> &'static str {
        match self {
            Locale::ZhCn => "简体中文",
            Locale::KoKr => "한국어",
            Locale::En => "English",
        }
    }

    /// A message in this language.
    pub fn t(self, msg: Msg) -> &'static str {
        msg.text(self)
    }

    /// A message with its `{name}` placeholders filled.
    pub fn f(self, msg: Msg, args: &[(&str, &str)]) -> String {
        let mut text = msg.text(self).to_owned();
        for (name, value) in args {
            text = text.replace(&format!("{{{name}}}"), value);
        }
        text
    }

    /// A message whose `{name}` placeholders are markup (a `<time>`, a
    /// bold seat number): the message's own text is escaped, the markup
    /// is not, and a placeholder inside an argument stays as it is.
    pub fn fm(self, msg: Msg, args: &[(&str, maud::Markup)]) -> maud::Markup {
        let mut out = String::new();
        let mut rest = msg.text(self);
        let escape = |text: &str| maud::html! { (text) }.into_string();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            out.push_str(&escape(&rest[..open]));
            match args
                .iter()
                .find(|(name, _)| *name == &rest[open + 1..close])
            {
                Some((_, markup)) => out.push_str(&markup.0),
                None => out.push_str(&escape(&rest[open..=close])),
            }
            rest = &rest[close + 1..];
        }
        out.push_str(&escape(rest));
        maud::PreEscaped(out)
    }

    /// A span of seconds, as people say it: "3分12秒", "3분 12초", "3 min 12 s".
    pub fn duration(self, seconds: i64) -> String {
        let s = seconds.max(0);
        let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
        let [hu, mu, su, sep] = match self {
            Locale::ZhCn => ["小时", "分", "秒", ""],
            Locale::KoKr => ["시간", "분", "초", " "],
            Locale::En => [" h", " min", " s", " "],
        };
        match (h, m) {
            (0, 0) => format!("{s}{su}"),
            (0, _) => format!("{m}{mu}{sep}{s}{su}"),
            _ => format!("{h}{hu}{sep}{m}{mu}"),
        }
    }
}

macro_rules! messages {
    ($($key:ident => $zh:literal, $ko:literal, $en:literal;)*) => {
        /// Every message the console shows.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $($key,)* }

        impl Msg {
            pub const ALL: &[Msg] = &[$(Msg::$key,)*];

            pub fn text(self, locale: Locale) -> &'static str {
                match (self, locale) {
                    $(
                        (Msg::$key, Locale::ZhCn) => $zh,
                        (Msg::$key, Locale::KoKr) => $ko,
                        (Msg::$key, Locale::En) => $en,
                    )*
                }
            }
        }
    };
}

messages! {
    Product => "boomgate 控制台", "boomgate 콘솔", "boomgate console";
    SkipToContent => "跳到正文", "본문으로 건너뛰기", "Skip to content";
    Language => "语言", "언어", "Language";

    // Logging in (seed 002).
    LoginTitle => "登录", "로그인", "Log in";
    LoginLead => "输入您登记的手机号码，我们会向该号码发送验证码。", "등록된 휴대폰 번호를 입력하면 그 번호로 인증번호를 보내 드립니다.", "Enter the phone number on record and we send a code to it.";
    Phone => "手机号码", "휴대폰 번호", "Phone number";
    Password => "密码", "비밀번호", "Password";
    PasswordOptional => "密码（如已设置）", "비밀번호 (설정한 경우)", "Password (if you set one)";
    SendCode => "发送验证码", "인증번호 받기", "Send code";
    LogInWithPassword => "用密码登录", "비밀번호로 로그인", "Log in with password";
    CodeTitle => "输入验证码", "인증번호 입력", "Enter the code";
    CodeSentTo => "如果 {phone} 有账户，验证码已发送到该号码，{minutes} 分钟内有效。", "{phone} 번호에 계정이 있으면 인증번호를 보냈습니다. {minutes}분 동안 유효합니다.", "If {phone} has an account, a code is on its way to it, valid for {minutes} min.";
    NewBrowserNeedsCode => "这是一个新的浏览器：即使密码正确，也需要验证码。", "처음 보는 브라우저입니다. 비밀번호가 맞아도 인증번호가 필요합니다.", "This browser is new to us: even with the right password, it needs a code.";
    Code => "验证码（6位数字）", "인증번호 (6자리)", "Code (6 digits)";
    LogIn => "登录", "로그인", "Log in";
    Resend => "重新发送", "다시 받기", "Send again";
    ResendIn => "{seconds} 秒后可重新发送", "{seconds}초 후 다시 받을 수 있습니다", "You can ask again in {seconds} s";
    OtherNumber => "换一个号码", "다른 번호", "Another number";
    WrongCode => "验证码错误，还可再试 {left} 次，之后账户将被锁定。", "인증번호가 틀렸습니다. {left}번 더 틀리면 계정이 잠깁니다.", "Wrong code: {left} tries left before the account locks.";
    ExpiredCode => "验证码已过期，请重新获取（还可再试 {left} 次）。", "인증번호가 만료되었습니다. 새로 받으세요 ({left}번 남음).", "That code has expired: ask for a new one ({left} tries left).";
    WrongNumberOrCode => "号码或验证码错误。", "번호 또는 인증번호가 틀렸습니다.", "Wrong number or code.";
    TriesLeft => "还可再试 {left} 次。", "{left}번 남았습니다.", "{left} tries left.";
    WrongPassword => "号码或密码错误。", "번호 또는 비밀번호가 틀렸습니다.", "Wrong number or password.";
    LockedTitle => "账户已锁定", "계정이 잠겼습니다", "Account locked";
    LockedLead => "验证码错误次数过多，账户已被锁定至 {until}。", "인증번호를 너무 많이 틀려 {until}까지 계정이 잠겼습니다.", "Too many wrong codes: this account is locked until {until}.";
    LockedHelp => "如需提前解锁，请联系您的管理员：他们核实身份后可以解除锁定。", "더 일찍 풀려면 관리자에게 연락하세요. 본인 확인 후 잠금을 해제할 수 있습니다.", "To be let in sooner, call your administrator: they can lift the lock once they know it is you.";
    TryLater => "请稍后再试：{message}", "잠시 후 다시 시도하세요: {message}", "Try again later: {message}";
    FormExpired => "此页面已过期，请重新加载后再试。", "페이지가 만료되었습니다. 새로 고친 뒤 다시 시도하세요.", "This page has expired: reload it and try again.";
    LogOut => "退出登录", "로그아웃", "Log out";
    LoggedOut => "您已退出登录。", "로그아웃되었습니다.", "You have logged out.";
    SessionEnded => "会话已结束，请重新登录。", "세션이 끝났습니다. 다시 로그인하세요.", "Your session has ended: log in again.";

    // The person's own page.
    MeTitle => "我的账户", "내 계정", "My account";
    Name => "姓名", "이름", "Name";
    Role => "角色", "역할", "Role";
    RoleOwner => "业主/运营方", "운영자", "Owner";
    RoleAgent => "坐席", "상담원", "Agent";
    Lots => "车场", "주차장", "Lots";
    Save => "保存", "저장", "Save";
    Saved => "已保存。", "저장했습니다.", "Saved.";
    PendingPhone => "管理员已将您的号码改为 {phone}：向新号码发送验证码并输入后生效。", "관리자가 번호를 {phone}(으)로 바꾸었습니다. 새 번호로 받은 인증번호를 입력하면 적용됩니다.", "Staff changed your number to {phone}: it takes effect once you enter the code sent to it.";
    ConfirmPhone => "确认新号码", "새 번호 확인", "Confirm the new number";
    PhoneChanged => "号码已更改，请用新号码登录。", "번호가 바뀌었습니다. 새 번호로 로그인하세요.", "Your number has changed: log in with the new one.";
    PasswordTitle => "密码", "비밀번호", "Password";
    PasswordLead => "设置密码后，可在已用过的浏览器上用密码登录；新的浏览器仍需验证码。", "비밀번호를 설정하면 사용한 적 있는 브라우저에서 비밀번호로 로그인할 수 있습니다. 새 브라우저는 여전히 인증번호가 필요합니다.", "With a password you can log in from a browser you used before; a new browser still needs a code.";
    NewPassword => "新密码（至少10个字符）", "새 비밀번호 (10자 이상)", "New password (10 characters or more)";
    CurrentPassword => "当前密码", "현재 비밀번호", "Current password";
    SetPassword => "设置密码", "비밀번호 설정", "Set password";
    PasswordSet => "密码已设置。", "비밀번호를 설정했습니다.", "Your password is set.";
    PasswordIsSet => "已设置密码。", "비밀번호가 설정되어 있습니다.", "A password is set.";
    PasswordNotSet => "尚未设置密码：用验证码登录。", "비밀번호가 없습니다. 인증번호로 로그인합니다.", "No password yet: you log in with codes.";

    // The development sender's page.
    DevCodesTitle => "开发用验证码", "개발용 인증번호", "Development codes";
    DevCodesLead => "login_sender = \"dev\"：验证码不会发送短信，而是写入服务日志并显示在这里（仅限本机访问）。", "login_sender = \"dev\": 인증번호는 문자로 보내지 않고 서비스 로그와 이 페이지에만 나타납니다 (이 컴퓨터에서만).", "login_sender = \"dev\": codes are not texted; they go to the service log and to this page (from this machine only).";
    To => "号码", "번호", "To";
    Expires => "过期时间", "만료", "Expires";
    NoCodes => "还没有发送过验证码。", "보낸 인증번호가 없습니다.", "No codes sent yet.";

    // Navigation and the homes.
    Home => "首页", "홈", "Home";
    Desk => "坐席台", "상담석", "Desk";
    Congestion => "拥堵列表", "혼잡 목록", "Congestion";
    Daily => "日常管控", "일상 관리", "Daily control";
    People => "人员", "사람", "People";
    Welcome => "您好，{name}", "{name}님, 안녕하세요", "Hello, {name}";
    NotFoundTitle => "找不到该页面", "페이지를 찾을 수 없습니다", "No such page";
    ErrorTitle => "出错了", "오류", "Something went wrong";
    CheckField => "请检查此项", "확인해 주세요", "Check this field";
    Back => "返回", "뒤로", "Back";

    // Seats (§2.3.1 A, B).
    MySeat => "我的座席", "내 좌석", "My seat";
    SeatNumber => "座席号（分机号）", "좌석 번호 (내선)", "Seat (extension) number";
    SeatNone => "您还没有绑定座席：来电不会转到您这里。", "좌석이 없습니다. 전화가 연결되지 않습니다.", "You sit at no seat: no calls reach you.";
    SeatYours => "您在座席 {seat}，自 {since} 起。", "{since}부터 {seat} 좌석에 있습니다.", "You sit at seat {seat}, since {since}.";
    BindSeat => "绑定座席", "좌석 등록", "Take the seat";
    ChangeSeat => "更换座席", "좌석 변경", "Change seat";
    LeaveSeat => "离开座席", "좌석 해제", "Leave the seat";
    SeatBound => "已绑定座席 {seat}。", "{seat} 좌석을 등록했습니다.", "You now sit at seat {seat}.";
    SeatLeft => "您已离开座席。", "좌석을 해제했습니다.", "You left your seat.";
    Seats => "全部座席", "모든 좌석", "All seats";
    Seat => "座席", "좌석", "Seat";
    Agent => "坐席员", "상담원", "Agent";
    Since => "开始时间", "시작", "Since";
    NoSeats => "还没有人绑定座席。", "등록된 좌석이 없습니다.", "Nobody sits at a seat yet.";

    // Lots (§2.3.1 C).
    Search => "搜索", "검색", "Search";
    SearchLots => "按名称、编号或地址搜索车场", "이름, 번호, 주소로 주차장 검색", "Search lots by name, id or address";
    LotMap => "车场地图", "주차장 지도", "Lot map";
    NoLots => "没有车场。", "주차장이 없습니다.", "No lots.";
    NoMatch => "没有匹配的车场。", "일치하는 주차장이 없습니다.", "No lot matches.";
    LotName => "车场", "주차장", "Lot";
    Address => "地址", "주소", "Address";
    FreeSpaces => "空余车位", "빈 자리", "Free spaces";
    FreeOf => "{free} / {capacity}", "{free} / {capacity}", "{free} of {capacity}";
    Occupied => "场内车辆", "주차 중", "Vehicles inside";
    VisitorsAdmitted => "临时车可入场", "방문 차량 입차", "Visitors admitted";
    Yes => "是", "예", "Yes";
    No => "否", "아니요", "No";
    VisitorPolicy => "访客规则", "방문 규정", "Visitor policy";
    FeeSchedule => "收费标准", "요금", "Fees";
    EmergencyContact => "紧急联系人", "비상 연락처", "Emergency contact";
    PolicyVersion => "策略版本", "정책 버전", "Policy version";
    NoPolicy => "未启用策略", "활성 정책 없음", "No active policy";
    TimeZone => "时区", "시간대", "Time zone";
    Gates => "出入口", "출입구", "Gates";
    Robots => "机器人", "로봇", "Robots";
    Agents => "坐席员", "상담원", "Agents";
    Info => "信息", "정보", "Info";
    Entry => "入口", "입구", "Entry";
    Exit => "出口", "출구", "Exit";
    Online => "在线", "온라인", "online";
    Degraded => "部分故障", "일부 고장", "degraded";
    Offline => "离线", "오프라인", "offline";
    LastSeen => "最后联系", "마지막 연결", "Last seen";
    NotSet => "未设置", "미설정", "not set";

    // Congestion (§2.3.3).
    CongestionLead => "等待最久的在前；列表会自动更新。", "가장 오래 기다린 순서이며 자동으로 갱신됩니다.", "Longest wait first; the list updates by itself.";
    NoCongestion => "没有等待中的车辆或故障。", "대기 중인 차량이나 고장이 없습니다.", "No vehicle waits and no robot is down.";
    Kind => "类型", "유형", "Kind";
    KindHeld => "车辆滞留", "차량 대기", "Vehicle held";
    KindCaseWaiting => "呼叫未接", "받지 않은 호출", "Call unanswered";
    KindRobotOffline => "机器人离线", "로봇 오프라인", "Robot offline";
    KindCameraDown => "车牌相机故障", "번호판 카메라 고장", "Plate camera down";
    Gate => "出入口", "출입구", "Gate";
    Plate => "车牌", "번호판", "Plate";
    Reason => "原因", "사유", "Reason";
    Waiting => "等待", "대기", "Waiting";
    Robot => "机器人", "로봇", "Robot";
    CallRobot => "呼叫", "호출", "Call";
    CaseOpen => "已有工单", "열린 건", "case open";
    Unplated => "无牌车", "번호판 없음", "no plate";

    // The desk (§2.3.2).
    DeskIdle => "闲置：等待来电或工单。新的呼叫会自动出现在这里。", "대기 중: 전화나 호출을 기다립니다. 새 호출은 여기에 바로 나타납니다.", "Idle: waiting for a call or a case. A new one appears here by itself.";
    WaitingCases => "等待接听的工单", "대기 중인 호출", "Cases waiting";
    NoWaitingCases => "没有等待接听的工单。", "대기 중인 호출이 없습니다.", "No case is waiting.";
    Answer => "接听", "받기", "Answer";
    CallOverview => "接听概况", "통화 개요", "The call";
    Caller => "来电号码", "발신 번호", "Caller";
    Origin => "来源", "출처", "Origin";
    Direction => "方向", "방향", "Direction";
    Scene => "现场情况", "현장", "The scene";
    PlatePhoto => "车牌照片", "번호판 사진", "Plate photo";
    NoPlatePhoto => "没有车牌照片", "번호판 사진 없음", "No plate photo";
    Cameras => "环境摄像头", "현장 카메라", "Scene cameras";
    Snapshot => "快照", "스냅샷", "snapshot";
    Stream => "直播", "실시간", "live";
    Captures => "现场抓拍（最近10分钟）", "현장 촬영 (최근 10분)", "Captures (last 10 min)";
    NoCaptures => "没有抓拍。", "촬영된 사진이 없습니다.", "No captures.";
    RobotShows => "机器人正在显示", "로봇 화면", "The robot shows now";
    Says => "语音", "음성", "Says";
    Light => "灯", "표시등", "Light";
    LightGreen => "绿灯", "초록", "green";
    LightYellow => "黄灯", "노랑", "yellow";
    LightRed => "红灯", "빨강", "red";
    ShowSmile => "笑脸", "웃는 얼굴", "a smile";
    ShowQr => "二维码：{qr}", "QR 코드: {qr}", "QR code: {qr}";
    ShowText => "文字：{text}", "문구: {text}", "text: {text}";
    ShowVehiclesInside => "场内车辆列表", "주차 중인 차량", "the vehicles inside";
    ShowIdPrompt => "请出示证件", "신분증 안내", "the ID prompt";
    QrUnplatedEntry => "无牌车入场码", "번호판 없는 입차 코드", "unplated entry";
    QrUnplatedExit => "无牌车出场码", "번호판 없는 출차 코드", "unplated exit";
    QrMonthlyRenewal => "月卡续费码", "정기권 갱신 코드", "monthly renewal";
    QrQuickExit => "临停快速缴费码", "빠른 정산 코드", "quick exit payment";
    Vehicle => "车辆信息", "차량 정보", "The vehicle";
    PlateInput => "车牌（可更正）", "번호판 (수정 가능)", "Plate (correct it)";
    Query => "查询", "조회", "Look up";
    WhyHeld => "为什么没有放行", "보류 사유", "Why it held";
    Decision => "决定", "결정", "Decision";
    Fee => "应缴", "요금", "Due";
    MonthlyPass => "月卡", "정기권", "Monthly pass";
    ValidUntil => "有效期至 {date}", "{date}까지 유효", "valid until {date}";
    ExpiredDays => "已过期 {days} 天", "{days}일 지남", "expired {days} days ago";
    SpacesInside => "车位 {spaces} 个，场内 {inside} 辆", "자리 {spaces}개, 주차 중 {inside}대", "{spaces} spaces, {inside} inside";
    Holder => "车主", "소유자", "Holder";
    NoPass => "无月卡", "정기권 없음", "no monthly pass";
    Stay => "停车记录", "주차 기록", "The stay";
    EnteredAt => "入场 {at}，已停 {minutes} 分钟", "{at} 입차, {minutes}분 주차", "entered {at}, {minutes} min";
    NoStay => "无入场记录", "입차 기록 없음", "no entry record";
    Paid => "已付 {amount}", "{amount} 결제", "paid {amount}";
    Payments => "缴费记录", "결제 내역", "Payments";
    ParkingPass => "停车证", "주차 패스", "Parking pass";
    Actions => "操作", "조치", "Actions";
    OpenGate => "开闸", "개방", "Open";
    AbnormalOpen => "异常开闸", "예외 개방", "Abnormal open";
    AbnormalReason => "异常原因", "예외 사유", "Reason";
    SpecialVehicle => "特种车辆", "특수 차량", "special vehicle";
    SpecialPerson => "特殊人员", "특별 인원", "special person";
    NonMotorVehicle => "非机动车", "비동력 차량", "non-motor vehicle";
    Note => "备注", "메모", "Note";
    IdPhotos => "证件照片", "신분증 사진", "ID photos";
    ScenePhotos => "现场照片", "현장 사진", "Scene photos";
    EvidenceExit => "出口异常开闸需要 1–4 张证件照片和 1–4 张现场照片。", "출구 예외 개방은 신분증 사진 1–4장과 현장 사진 1–4장이 필요합니다.", "At an exit, an abnormal opening needs 1 to 4 ID photos and 1 to 4 scene photos.";
    Upload => "上传照片", "사진 올리기", "Upload a photo";
    Visitor => "访客登记", "방문 등록", "Register a visitor";
    VisitorPhone => "访客电话", "방문자 전화", "Visitor's phone";
    VisitReason => "来访事由", "방문 사유", "Reason for the visit";
    Register => "登记并放行", "등록 후 개방", "Register and let in";
    SendToDisplay => "发送到显示屏", "화면으로 보내기", "Send to the display";
    SimilarPlates => "相似车牌（场内车辆）", "비슷한 번호판 (주차 중)", "Similar plates (inside)";
    NoSimilar => "场内没有相似车牌。", "비슷한 번호판이 없습니다.", "No similar plate inside.";
    ThisVehicle => "确认为该车辆", "이 차량으로 확인", "This is the vehicle";
    Distance => "差异", "차이", "Distance";
    StatedExit => "按指定时间出场", "지정 시각 출차", "Exit at a stated time";
    StatedExitLead => "车辆出场未被识别时，按司机所说的时间关闭其停车记录并计费。", "출차가 인식되지 않았을 때, 운전자가 말한 시각으로 주차 기록을 닫고 요금을 계산합니다.", "When an exit was not recognised, close the stay at the time the driver states, priced by the policy.";
    LeftAt => "出场时间（车场时间）", "출차 시각 (주차장 시각)", "Left at (the lot's time)";
    CloseStay => "关闭停车记录", "주차 기록 닫기", "Close the stay";
    CaseActs => "工单记录", "처리 기록", "What was done";
    CloseCase => "关单", "종료", "Close the case";
    Outcome => "结果", "결과", "Outcome";
    OutcomeOpened => "已放行", "개방함", "let through";
    OutcomePaid => "已缴费", "결제함", "paid";
    OutcomeTurnedAway => "已劝离", "돌려보냄", "turned away";
    OutcomeNoAnswer => "无人应答", "응답 없음", "no answer";
    OutcomeResolved => "其他方式解决（请备注）", "기타 해결 (메모 필수)", "resolved otherwise (say how)";
    OutcomeTest => "测试", "테스트", "test";
    NothingHeld => "该出入口现在没有滞留的车辆。", "이 출입구에 대기 중인 차량이 없습니다.", "Nothing is held at this gate now.";
    DoneOpened => "已开闸：{voice}", "개방했습니다: {voice}", "Opened: {voice}";
    DoneRefused => "策略未放行（{reason}）：{voice}", "정책이 개방하지 않았습니다 ({reason}): {voice}", "The policy did not open ({reason}): {voice}";
    DoneDisplay => "已发送到显示屏：{voice}", "화면으로 보냈습니다: {voice}", "Sent to the display: {voice}";
    DoneClosed => "已关单。", "종료했습니다.", "The case is closed.";
    DoneStay => "停车记录已关闭，应缴 {due}。", "주차 기록을 닫았습니다. 요금 {due}.", "The stay is closed: {due} due.";
    DoneAnswered => "已接听。", "받았습니다.", "Answered.";
    KeySheet => "键盘快捷键", "단축키", "Keyboard shortcuts";
    KeysLead => "在文字框外按键；Alt+键在任何地方都可用；Esc 关闭。", "입력칸 밖에서 누르세요. Alt+키는 어디서나 됩니다. Esc로 닫습니다.", "Press outside a text field; Alt+key works anywhere; Esc closes.";
    CaseAt => "工单 {case}", "건 {case}", "Case {case}";
    Test => "测试", "테스트", "test";
    GateOpen => "放行", "개방", "open";

    // Daily control (§2.4).
    DailyLead => "按来电号码、车牌查询月卡、临停和无牌车记录。每次查询都会记入访问日志。", "발신 번호나 번호판으로 정기권, 일시 주차, 번호판 없는 차량 기록을 조회합니다. 모든 조회는 접근 기록에 남습니다.", "Look up passes, stays and unplated tickets by the caller's phone or a plate. Every lookup is recorded in the access log.";
    CallerLookup => "来电号码查询", "발신 번호 조회", "The caller's phone";
    PassLookup => "月卡查询", "정기권 조회", "Monthly passes";
    StayLookup => "临停车辆查询", "일시 주차 조회", "A temporary stay";
    UnplatedLookup => "无牌车（按手机号）", "번호판 없는 차량 (전화번호)", "Unplated tickets (by phone)";
    Passes => "月卡", "정기권", "Passes";
    Visits => "访客登记", "방문 등록", "Visits";
    Stays => "停车记录", "주차 기록", "Stays";
    NothingFound => "没有找到记录。", "기록이 없습니다.", "Nothing found.";
    Account => "账户", "계정", "Account";
    Spaces => "车位", "자리", "Spaces";
    Inside => "在场内", "주차 중", "inside";
    EnteredCol => "入场", "입차", "Entered";
    ExitedCol => "出场", "출차", "Left";
    Minutes => "时长（分钟）", "시간 (분)", "Minutes";
    DueNow => "现在应缴", "현재 요금", "Due now";
    ExitNow => "现在出场", "지금 출차 시", "At an exit now";
    Amount => "金额", "금액", "Amount";
    PaidAt => "付款时间", "결제 시각", "Paid at";
    PendingApplication => "待处理的申请", "대기 중인 신청", "Pending application";
    Orders => "订单", "주문", "Orders";
    RegisteredBy => "登记人", "등록자", "Registered by";
    Applications => "续费申请", "갱신 신청", "Applications";
    Approve => "批准", "승인", "Approve";
    Reject => "拒绝", "거절", "Reject";
    Months => "月数", "개월", "Months";
    Status => "状态", "상태", "Status";
    NoApplications => "没有待处理的申请。", "대기 중인 신청이 없습니다.", "No application waits.";
    Approved => "已批准。", "승인했습니다.", "Approved.";
    Rejected => "已拒绝。", "거절했습니다.", "Rejected.";

    // The back office (§2.1).
    BackOffice => "后台", "관리", "Back office";
    NewLot => "新建车场", "주차장 만들기", "New lot";
    LotId => "车场编号", "주차장 번호", "Lot id";
    Currency => "币种", "통화", "Currency";
    Capacity => "车位数", "주차면 수", "Capacity";
    Latitude => "纬度", "위도", "Latitude";
    Longitude => "经度", "경도", "Longitude";
    PaymentLink => "付款链接（含 {order_id}）", "결제 링크 ({order_id} 포함)", "Payment link (with {order_id})";
    DebounceSeconds => "重复识别窗口（秒）", "중복 인식 시간 (초)", "Duplicate-read window (s)";
    Create => "创建", "만들기", "Create";
    Created => "已创建。", "만들었습니다.", "Created.";
    Settings => "设置", "설정", "Settings";
    Devices => "设备", "장치", "Devices";
    Records => "记录", "기록", "Records";
    GateId => "出入口编号", "출입구 번호", "Gate id";
    AddGate => "添加出入口", "출입구 추가", "Add a gate";
    RobotId => "机器人编号", "로봇 번호", "Robot id";
    RobotName => "机器人名称", "로봇 이름", "Robot name";
    FactoryCode => "出厂编码", "제조 번호", "Factory code";
    Sim => "SIM 卡号", "SIM 번호", "SIM number";
    AddRobot => "添加机器人", "로봇 추가", "Add a robot";
    Retire => "停用", "사용 중지", "Retire";
    Retired => "已停用", "중지됨", "retired";
    RotateToken => "更换令牌", "토큰 교체", "Rotate the token";
    TokenOnce => "令牌只显示这一次，请立即复制到设备中：", "토큰은 지금 한 번만 보입니다. 바로 장치에 복사하세요:", "The token is shown this once: copy it to the device now:";
    Tests => "调试记录", "테스트 기록", "Commissioning tests";
    CameraId => "摄像头编号", "카메라 번호", "Camera id";
    CameraName => "摄像头名称", "카메라 이름", "Camera name";
    CameraKindLabel => "类型", "종류", "Kind";
    CameraEnvironment => "环境摄像头", "현장 카메라", "environment";
    CameraIdKind => "证件摄像头", "신분증 카메라", "ID";
    VendorId => "厂商序列号（萤石）", "제조사 일련번호", "Vendor serial";
    SnapshotUrl => "快照地址", "스냅샷 주소", "Snapshot URL";
    StreamUrl => "直播地址", "스트림 주소", "Stream URL";
    AddCamera => "绑定摄像头", "카메라 연결", "Bind a camera";
    Delete => "删除", "삭제", "Delete";
    Deleted => "已删除。", "삭제했습니다.", "Deleted.";
    Edit => "修改", "수정", "Edit";
    Cameras2 => "摄像头", "카메라", "Cameras";
    Policies => "策略", "정책", "Policies";
    Decisions => "决定记录", "결정 기록", "Decisions";
    Openings => "开闸记录", "개방 기록", "Openings";
    Cases => "工单", "상담 건", "Cases";
    AccessLog => "访问日志", "접근 기록", "Access log";
    Tokens => "令牌", "토큰", "Tokens";
    Filter => "筛选", "필터", "Filter";
    Source => "来源", "출처", "Source";
    Version => "版本", "버전", "Version";
    Time => "时间", "시각", "Time";
    Fault => "故障", "오류", "Fault";
    Evaluation => "计算耗时", "계산 시간", "Evaluation";
    DecidedBy => "决定者", "결정자", "Decided by";
    Older => "更早", "이전", "Older";
    OpenedBy => "开闸人", "개방자", "Opened by";
    Evidence => "证据", "증거", "Evidence";
    Cancel => "取消", "취소", "Cancel";
    Cancelled => "已取消。", "취소했습니다.", "Cancelled.";
    Answered => "接听", "응답", "Answered";
    Closed => "关单", "종료", "Closed";
    Resolve => "处理时长", "처리 시간", "To close";
    Looked => "查询人", "조회자", "Looked up by";
    Query2 => "查询内容", "조회 내용", "Query";
    Results => "结果数", "결과 수", "Results";
    LoginAudit => "登录记录", "로그인 기록", "Logins";
    AllStatuses => "全部", "전체", "all";
    Holder2 => "车主", "소유자", "Holder";
    AddPass => "添加或续期月卡", "정기권 추가·연장", "Add or renew a pass";
    ImportCsv => "导入 CSV", "CSV 가져오기", "Import CSV";
    ImportLead => "每行：车牌,有效期至(YYYY-MM-DD),账户,车位数,车主,电话,车型(可空，如 large)。有一行错误则全部不导入，并指出哪一行。", "한 줄에: 번호판,유효기간(YYYY-MM-DD),계정,자리 수,소유자,전화,차종(비워도 됨, 예: large). 한 줄이라도 틀리면 아무것도 가져오지 않고 그 줄을 알려 줍니다.", "One pass a line: plate,valid_until (YYYY-MM-DD),account,spaces,holder,phone,vehicle_class (may be empty, e.g. large). One bad line and nothing is imported; the line is named.";
    Imported => "已导入 {count} 条。", "{count}건을 가져왔습니다.", "Imported {count} passes.";
    CsvFile => "CSV 文本", "CSV 내용", "CSV text";
    PeopleLead => "业主和坐席员用手机号和验证码登录。号码只能由管理员在核实身份后更改，新号码确认验证码后生效。", "운영자와 상담원은 휴대폰 번호와 인증번호로 로그인합니다. 번호는 관리자가 본인 확인 후에만 바꿀 수 있고, 새 번호로 인증해야 적용됩니다.", "Owners and agents log in with their phone and a code. Only staff change a number, after verifying the person; it takes effect once the new number confirms a code.";
    LockedUntil => "锁定至 {until}", "{until}까지 잠김", "locked until {until}";
    Failures => "错误次数", "실패 횟수", "Wrong codes";
    LiftLock => "解除锁定", "잠금 해제", "Lift the lock";
    LockLifted => "已解除锁定。", "잠금을 해제했습니다.", "The lock is lifted.";
    ChangePhone => "更改号码", "번호 변경", "Change the number";
    NewPhone => "新号码", "새 번호", "New number";
    HowVerified => "如何核实了身份", "본인 확인 방법", "How you verified the person";
    PhoneChangeSet => "新号码已设置，确认验证码后生效。", "새 번호를 설정했습니다. 인증 후 적용됩니다.", "The new number is set: it takes effect once it confirms a code.";
    AddPerson => "添加人员", "사람 추가", "Add a person";
    PasswordCol => "密码", "비밀번호", "Password";
    MachineTokens => "机器令牌", "기계 토큰", "Machine tokens";
    TokensLead => "给支付系统、App 平台、电话系统和脚本用的令牌。令牌只在创建时显示一次。", "결제 시스템, 앱 플랫폼, 전화 시스템, 스크립트용 토큰입니다. 토큰은 만들 때 한 번만 보입니다.", "Tokens for the payment system, the app platform, the telephony system and scripts. A token is shown once, when it is made.";
    TokenName => "名称", "이름", "Name";
    TokenRole => "角色", "역할", "Role";
    Revoke => "吊销", "폐기", "Revoke";
    Revoked => "已吊销", "폐기됨", "revoked";
    NewToken => "新建令牌", "토큰 만들기", "New token";
    AgentsLots => "坐席员及其车场", "상담원과 주차장", "Agents and their lots";
    SaveLots => "保存车场", "주차장 저장", "Save lots";

    // Policies.
    PoliciesLead => "上传策略模块，按其设置表单创建版本，预览它对最近决定的影响，然后启用；回滚即启用旧版本。", "정책 모듈을 올리고, 설정 양식으로 버전을 만들고, 최근 결정에 대한 영향을 미리 본 뒤 활성화합니다. 되돌리기는 이전 버전을 활성화하는 것입니다.", "Upload a policy module, make a version with its settings form, preview what it changes in recent decisions, then activate it; rolling back is activating an older version.";
    Versions => "版本", "버전", "Versions";
    Module => "模块", "모듈", "Module";
    Active => "当前启用", "활성", "active";
    Activate => "启用", "활성화", "Activate";
    RollBack => "回滚到此版本", "이 버전으로 되돌리기", "Roll back to this";
    ActivatedNow => "版本 {version} 已启用。", "버전 {version}을(를) 활성화했습니다.", "Version {version} is active.";
    Preview => "预览", "미리 보기", "Preview";
    UploadModule => "上传模块", "모듈 올리기", "Upload a module";
    DropHere => "把 .wasm 文件拖到这里，或选择文件", ".wasm 파일을 여기로 끌어 놓거나 선택하세요", "Drop a .wasm file here, or choose one";
    Uploaded => "模块已上传。", "모듈을 올렸습니다.", "The module is uploaded.";
    Modules => "已上传的模块", "올린 모듈", "Uploaded modules";
    NewVersion => "新建版本", "새 버전", "New version";
    NewVersionOf => "用 {module} 新建版本", "{module}(으)로 새 버전", "A new version with {module}";
    SdkVersion => "SDK", "SDK", "SDK";
    Interface => "接口", "인터페이스", "Interface";
    Size => "大小", "크기", "Size";
    Locales => "语言", "언어", "Locales";
    Schema => "设置结构（JSON Schema）", "설정 스키마 (JSON Schema)", "Settings schema (JSON Schema)";
    SettingsRefused => "模块拒绝了这些设置：", "모듈이 설정을 거부했습니다:", "The module refused these settings:";
    CreateVersion => "创建版本并预览", "버전 만들고 미리 보기", "Create the version and preview it";
    VersionCreated => "版本 {version} 已创建。下面是它对最近决定的影响。", "버전 {version}을(를) 만들었습니다. 아래는 최근 결정에 대한 영향입니다.", "Version {version} is made: below, what it changes in recent decisions.";
    Replayed => "重放了 {replayed} 个最近的决定，其中 {changed} 个会不同。", "최근 결정 {replayed}건을 다시 계산했고, 그중 {changed}건이 달라집니다.", "Replayed {replayed} recent decisions: {changed} would differ.";
    Before => "之前", "이전", "Before";
    After => "之后", "이후", "After";
    NoDifference => "没有不同。", "달라지는 것이 없습니다.", "Nothing differs.";
    GateHeld => "未放行", "보류", "held";
}

/// What a decision's `reason` (or a robot's problem) means, in words, for
/// the reasons the shipped policies give; other modules' reasons are shown
/// as their code.
pub fn reason(locale: Locale, code: &str) -> Option<&'static str> {
    let [zh, ko, en] = match code {
        "payment_required" => ["需缴费", "요금 미납", "payment required"],
        "no_entry_record" => ["无入场记录", "입차 기록 없음", "no entry record"],
        "visitor_confirmation_required" => ["访客待确认", "방문 확인 필요", "visitor to confirm"],
        "visitors_not_admitted" => ["不接待临时车", "방문 차량 불가", "visitors not admitted"],
        "shared_spaces_full" => ["车位已满", "만차", "spaces full"],
        "unplated_entry" => ["无牌车入场", "번호판 없는 입차", "no plate at entry"],
        "unplated_exit" => ["无牌车出场", "번호판 없는 출차", "no plate at exit"],
        "monthly_pass_expired_renew" => [
            "月卡已过期，需续费",
            "정기권 만료 (갱신 필요)",
            "pass expired: renew",
        ],
        "monthly_pass_expired_agent_open" => [
            "月卡已过期，可人工放行",
            "정기권 만료 (상담원 개방 가능)",
            "pass expired: agent may open",
        ],
        "monthly_pass_lapsed" => ["月卡已失效", "정기권 실효", "pass lapsed"],
        "lpr_camera_down" => ["车牌相机故障", "번호판 카메라 고장", "plate camera down"],
        "exit_missed" => ["上次出场未记录", "지난 출차 누락", "last exit missed"],
        "call_button" => ["按下呼叫按钮", "호출 버튼", "call button pressed"],
        "escalation" => ["机器人转人工", "로봇이 상담원 연결", "robot escalated"],
        "call" => ["来电", "전화", "phone call"],
        "agent" => ["坐席外呼", "상담원 발신", "agent's call"],
        "monthly_pass_valid" => ["月卡有效", "정기권 유효", "pass valid"],
        "paid" => ["已缴费", "결제됨", "paid"],
        "free_stay" => ["免费时段内", "무료 시간 내", "within the free minutes"],
        "free_period" => ["免费时段内", "무료 시간 내", "within the free minutes"],
        "visitor_welcome" => ["欢迎访客", "방문 환영", "visitor welcome"],
        "abnormal_opening" => ["异常开闸", "예외 개방", "abnormal opening"],
        "agent_open" => ["坐席放行", "상담원 개방", "opened by an agent"],
        _ => return None,
    };
    Some(match locale {
        Locale::ZhCn => zh,
        Locale::KoKr => ko,
        Locale::En => en,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(text: &str) -> Vec<&str> {
        let mut found: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        found.sort_unstable();
        found
    }

    #[test]
    fn every_message_has_the_same_placeholders_in_each_language() {
        for msg in Msg::ALL {
            let zh = placeholders(msg.text(Locale::ZhCn));
            for locale in Locale::ALL {
                let text = msg.text(locale);
                assert!(!text.trim().is_empty(), "{msg:?} is empty in {locale:?}");
                assert_eq!(placeholders(text), zh, "{msg:?} in {locale:?}");
            }
        }
    }

    #[test]
    fn accept_language_picks_the_first_language_we_speak() {
        assert_eq!(
            Locale::from_accept_language("fr-FR, ko-KR;q=0.8, en;q=0.5"),
            Some(Locale::KoKr)
        );
        assert_eq!(Locale::from_accept_language("zh-TW"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_accept_language("de"), None);
    }

    #[test]
    fn durations_read_as_people_say_them() {
        assert_eq!(Locale::ZhCn.duration(192), "3分12秒");
        assert_eq!(Locale::KoKr.duration(192), "3분 12초");
        assert_eq!(Locale::En.duration(192), "3 min 12 s");
        assert_eq!(Locale::En.duration(7260), "2 h 1 min");
        assert_eq!(Locale::ZhCn.duration(-5), "0秒");
    }

    #[test]
    fn markup_messages_escape_their_text_and_keep_their_markup() {
        let until = maud::html! { time { "14:00" } };
        let html = Locale::En
            .fm(Msg::LockedUntil, &[("until", until)])
            .into_string();
        assert_eq!(html, "locked until <time>14:00</time>");
        let seat = maud::html! { "<b>{since}</b>" };
        let html = Locale::En
            .fm(Msg::SeatYours, &[("seat", seat)])
            .into_string();
        assert!(
            html.starts_with("You sit at seat &lt;b&gt;{since}&lt;/b&gt;, since {since}"),
            "{html}"
        );
    }

    #[test]
    fn filled_messages_replace_each_placeholder() {
        assert_eq!(
            Locale::En.f(Msg::WrongCode, &[("left", "3")]),
            "Wrong code: 3 tries left before the account locks."
        );
    }
}
