// The written commitment 书面承诺 signed with every deposit-and-use agreement 缴存使用协议.
// The version and date are stored with each agreement, so a later wording never rewrites what was signed.
export const CURRENT_COMMITMENT = {
  version: "JC-HPF-FLEX-2023-v1",
  date: "2023-06-30",
  text:
    "本人承诺：本人在晋城市以个体经营、非全日制或新业态等方式灵活就业，具有完全民事行为能力，" +
    "不属于《住房公积金管理条例》规定的应缴范围，未在其他地区缴存住房公积金；所提供信息真实、准确、完整。",
} as const;
