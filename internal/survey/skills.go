package survey

import "strings"

// skillWords map words of a volunteer's skills (free text, e.g. 买菜,
// 陪诊, 法律咨询) to the kinds of need they serve.
var skillWords = []struct {
	word string
	kind string
}{
	{"买菜", "life"}, {"做饭", "life"}, {"打扫", "life"}, {"家务", "life"}, {"理发", "life"}, {"缝补", "life"},
	{"洗澡", "life"}, {"代缴", "life"}, {"代购", "life"},
	{"聊天", "spirit"}, {"读报", "spirit"}, {"散步", "spirit"}, {"文艺", "spirit"}, {"书法", "spirit"}, {"心理", "spirit"},
	{"下棋", "spirit"}, {"智能手机", "spirit"}, {"摄影", "spirit"},
	{"慰问", "festival"}, {"探亲", "festival"},
	{"陪诊", "health"}, {"健康", "health"}, {"血压", "health"}, {"血糖", "health"}, {"康复", "health"}, {"用药", "health"},
	{"慢病", "health"}, {"护理", "health"},
	{"法律", "legal"}, {"调解", "legal"}, {"政策", "legal"}, {"代办", "legal"},
	{"应急", "emergency"}, {"急救", "emergency"}, {"维修", "emergency"}, {"抢修", "emergency"}, {"防灾", "emergency"},
}

// SkillKinds lists the kinds of need a volunteer's skills serve.
func SkillKinds(skills []string) map[string]bool {
	out := map[string]bool{}
	for _, s := range skills {
		for _, w := range skillWords {
			if strings.Contains(s, w.word) {
				out[w.kind] = true
			}
		}
	}
	return out
}

// SkillMatch counts the elder's needs that the volunteer's skills serve:
// matching uses it to break ties between equally near volunteers.
func SkillMatch(needs []string, kinds map[string]bool) int {
	n := 0
	for _, k := range needs {
		if kinds[k] {
			n++
		}
	}
	return n
}
